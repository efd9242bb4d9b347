import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Piscina } from 'piscina';

/** Two threads at most: the machine's cores are the containers' first, and the pool only takes the heavy frames. */
const MAX_THREADS = 2;
/** Workers run niced, so that on a saturated machine the event loop (Pongs) is scheduled before their heavy reads. */
const NICE_INCREMENT = 10;

/**
 * CPU-heavy work kept off the event loop, so that no container's output can delay a Pong: runs a task file's default
 * export in a worker thread. Each caller names its own task file, so this module knows none of them.
 */
@Injectable()
export class WorkerPool implements OnModuleDestroy {
  private readonly pool = new Piscina({ minThreads: 1, maxThreads: MAX_THREADS, idleTimeout: 60_000, niceIncrement: NICE_INCREMENT });

  /** `transfer`: buffers handed to the worker without a copy (unusable here afterwards). */
  run<T>(filename: string, task: unknown, transfer: ArrayBuffer[] = []): Promise<T> {
    return this.pool.run(task, { filename, transferList: transfer }) as Promise<T>;
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.destroy();
  }
}

/** What a task returns to hand `buffers` back without a copy (the value keeps referring to them). */
export function transferred<T extends object>(value: T, buffers: ArrayBuffer[]): T {
  const movable = { [Piscina.transferableSymbol]: buffers, [Piscina.valueSymbol]: value };
  return Piscina.move(movable as unknown as Parameters<typeof Piscina.move>[0]) as unknown as T;
}
