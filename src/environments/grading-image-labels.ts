import {
  IMAGE_LABEL_ADVERTISE,
  IMAGE_LABEL_GENERATION,
  IMAGE_LABEL_NAME,
  IMAGE_LABEL_NEED_GPU,
  IMAGE_LABEL_NEED_ROOT,
  IMAGE_LABEL_PORTS,
} from '../docker/docker.labels';
import type { ImageGeneration } from './grading-environment';

/** What a grading image's labels say (wire.md §2), or why they cannot be used. */
export type GradingImageLabels =
  | {
      ok: true;
      name: string;
      generation: ImageGeneration;
      ports: number[];
      needRoot: boolean;
      needGpu: boolean;
      advertised: boolean;
    }
  | { ok: false; name: string | undefined; reason: string };

export function readGradingImageLabels(labels: Readonly<Record<string, string>>): GradingImageLabels {
  const name = labels[IMAGE_LABEL_NAME]?.trim();
  if (!name) return { ok: false, name: undefined, reason: `empty ${IMAGE_LABEL_NAME} label` };
  const label = labels[IMAGE_LABEL_GENERATION];
  // The Python agent skips an image without the label as well: nothing says which protocol it speaks.
  if (label === undefined) return { ok: false, name, reason: `no ${IMAGE_LABEL_GENERATION} label (supported: 3, 4)` };
  const generation = parseGeneration(label);
  if (generation === undefined) return { ok: false, name, reason: `unsupported ${IMAGE_LABEL_GENERATION} "${label}" (supported: 3, 4)` };
  const ports = parsePorts(labels[IMAGE_LABEL_PORTS]);
  if (ports === undefined) {
    return { ok: false, name, reason: `bad ${IMAGE_LABEL_PORTS} "${labels[IMAGE_LABEL_PORTS]}" (expected ports such as 22,8080)` };
  }
  return {
    ok: true,
    name,
    generation,
    ports,
    needRoot: IMAGE_LABEL_NEED_ROOT in labels,
    needGpu: IMAGE_LABEL_NEED_GPU in labels,
    // exactly as the Python agent reads it: any value but "true" hides the environment
    advertised: (labels[IMAGE_LABEL_ADVERTISE] ?? 'true') === 'true',
  };
}

function parseGeneration(label: string): ImageGeneration | undefined {
  const value = label.trim();
  return value === '3' ? 3 : value === '4' ? 4 : undefined;
}

/** Comma-separated TCP ports, each once; absent or blank means none. Undefined when any item is not a port. */
function parsePorts(label: string | undefined): number[] | undefined {
  if (label === undefined || label.trim() === '') return [];
  const ports = label.split(',').map((item) => item.trim());
  if (!ports.every((p) => /^\d{1,5}$/.test(p) && Number(p) >= 1 && Number(p) <= 65535)) return undefined;
  return [...new Set(ports.map(Number))];
}
