import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { encodeFrame } from '../container-link/frame-codec';

export const BENCH_LABEL = 'org.inginious.agent.bench';

/**
 * The floor: what the Engine API alone costs to run one grading container of the same image and task, doing nothing
 * else — create, attach, start, write the start frame, read to the end, wait, remove. No agent around it.
 */
export class EngineFloor {
  private readonly folder = mkdtempSync(join(tmpdir(), 'bench-floor-'));

  constructor(
    private readonly docker: Docker,
    private readonly image: string,
    taskFolder: string,
  ) {
    cpSync(taskFolder, join(this.folder, 'task'), { recursive: true });
    for (const dir of ['task/student', 'sockets', 'course/common/student']) mkdirSync(join(this.folder, dir), { recursive: true });
  }

  /** One run; resolves with its wall time in ms. */
  async runOnce(input: Record<string, unknown>): Promise<number> {
    const started = performance.now();
    const container = await this.docker.createContainer({
      Image: this.image,
      Labels: { [BENCH_LABEL]: '1' },
      OpenStdin: true,
      StdinOnce: true,
      AttachStdin: true,
      AttachStdout: true,
      HostConfig: {
        NetworkMode: 'none',
        Memory: 100 * 1024 * 1024,
        Binds: [
          `${this.folder}/task:/task`,
          `${this.folder}/sockets:/sockets`,
          `${this.folder}/course/common:/course/common:ro`,
          `${this.folder}/course/common/student:/course/common/student:ro`,
        ],
      },
    });
    const stream = await container.attach({ stream: true, stdin: true, stdout: true, stderr: false, hijack: true });
    const ended = new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.resume();
    });
    await container.start();
    stream.write(encodeFrame({ type: 'start', input, debug: false, envtypes: { docker: true }, run_as_root: false }));
    await ended;
    await container.wait();
    await container.remove({ force: true });
    return performance.now() - started;
  }

  dispose(): void {
    rmSync(this.folder, { recursive: true, force: true });
  }
}
