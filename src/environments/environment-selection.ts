import type { ImageSummary } from '../docker/docker.types';
import type { Runtime } from '../runtimes/runtime.types';
import type { GradingEnvironment } from './grading-environment';
import { readGradingImageLabels } from './grading-image-labels';

export interface RejectedImage {
  imageId: string;
  name: string | undefined;
  reason: string;
}

export interface EnvironmentSelection {
  /** by runtime (in the runtimes' order), then by name in the order Docker listed the names' images */
  environments: GradingEnvironment[];
  rejected: RejectedImage[];
}

/**
 * The grading environments each runtime can offer (wire.md §2): images with a supported generation and readable
 * labels, needing root or GPUs only under a runtime that gives them; per envtype and name the newest image wins.
 */
export function selectEnvironments(images: readonly ImageSummary[], runtimes: readonly Runtime[]): EnvironmentSelection {
  const byEnvtype = new Map(runtimes.map((runtime) => [runtime.envtype, new Map<string, GradingEnvironment>()]));
  const rejected: RejectedImage[] = [];
  for (const image of images) {
    const labels = readGradingImageLabels(image.labels);
    if (!labels.ok) {
      rejected.push({ imageId: image.id, name: labels.name, reason: labels.reason });
      continue;
    }
    const usableUnder = runtimes.filter((r) => (!labels.needRoot || r.runAsRoot) && (!labels.needGpu || r.gpu));
    if (usableUnder.length === 0) {
      const needs = [labels.needRoot && 'runs containers as root', labels.needGpu && 'gives GPUs'].filter(Boolean).join(' and ');
      rejected.push({ imageId: image.id, name: labels.name, reason: `needs a runtime that ${needs}; none is available` });
      continue;
    }
    for (const runtime of usableUnder) {
      const named = byEnvtype.get(runtime.envtype)!;
      const current = named.get(labels.name);
      if (current && current.created >= image.created) continue;
      named.set(labels.name, {
        envtype: runtime.envtype,
        name: labels.name,
        imageId: image.id,
        created: image.created,
        generation: labels.generation,
        ports: labels.ports,
        advertised: labels.advertised,
        runtime,
      });
    }
  }
  return { environments: [...byEnvtype.values()].flatMap((named) => [...named.values()]), rejected };
}
