import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const TEST_BASE_IMAGE = 'inginious-agent-test/busybox:latest';
export const TEST_LABEL = 'org.inginious.agent.test';
const SAMPLE_IMAGE = 'inginious-agent-sample/default:latest';

/** Builds the tiny busybox base image when it is missing (cached otherwise). */
export function ensureTestBaseImage(): void {
  execFileSync('bash', [resolve(__dirname, '../../scripts/build-test-images.sh')], { stdio: 'inherit' });
}

/**
 * Builds a grading image on the test base with the given labels (plus the test label and a unique one, so that the
 * build cache never hands back an earlier image) and returns its full `sha256:` id. Docker's `created` has whole
 * seconds: to build a newer image with the same name, call `waitForNextSecond` between the two builds.
 */
export function buildGradingTestImage(tag: string, labels: Record<string, string>): string {
  const context = mkdtempSync(join(tmpdir(), 'grading-test-image-'));
  try {
    const allLabels = { ...labels, [TEST_LABEL]: '1', [`${TEST_LABEL}.build`]: `${process.pid}-${Date.now()}-${Math.random()}` };
    const labelLines = Object.entries(allLabels).map(([key, value]) => `LABEL ${JSON.stringify(key)}=${JSON.stringify(value)}`);
    writeFileSync(join(context, 'Dockerfile'), [`FROM ${TEST_BASE_IMAGE}`, ...labelLines, ''].join('\n'));
    const id = execFileSync('docker', ['build', '-q', '-t', tag, context], {
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
    if (!/^sha256:[0-9a-f]{64}$/.test(id)) throw new Error(`docker build printed "${id}", not an image id`);
    return id;
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

/** Removes test images by id or tag; ones already gone are fine. */
export function removeTestImages(images: readonly string[]): void {
  for (const image of images) spawnSync('docker', ['rmi', '-f', image], { stdio: 'ignore' });
}

export async function waitForNextSecond(): Promise<void> {
  await new Promise((done) => setTimeout(done, 1_000 - (Date.now() % 1_000) + 50));
}

/** The sample image relabelled as a generation-3 environment (the runtime inside speaks both). */
export function buildGeneration3SampleImage(tag: string, name: string): void {
  const context = mkdtempSync(join(tmpdir(), 'gen3-sample-'));
  try {
    writeFileSync(
      join(context, 'Dockerfile'),
      [`FROM ${SAMPLE_IMAGE}`, `LABEL org.inginious.grading.name="${name}" org.inginious.grading.agent_version="3" ${TEST_LABEL}="1"`, ''].join('\n'),
    );
    execFileSync('docker', ['build', '-q', '-t', tag, context], { env: { ...process.env, DOCKER_BUILDKIT: '0' }, stdio: 'ignore' });
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}
