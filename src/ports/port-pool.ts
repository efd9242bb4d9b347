import { Injectable } from '@nestjs/common';
import { AgentConfig } from '../config/agent-config';
import { PortsExhaustedError } from './ports-exhausted.error';

/**
 * The external ports of the configured debug range. Hands them out round-robin from after the last one given, so a
 * port just released is reused last: an SSH client still pointing at a finished job does not land in the next one.
 */
@Injectable()
export class PortPool {
  private readonly range: { first: number; last: number };
  private readonly taken = new Set<number>();
  private cursor: number;

  constructor(config: AgentConfig) {
    this.range = { ...config.debugPorts };
    this.cursor = this.range.first;
  }

  /** Takes `count` free ports, or none at all and throws PortsExhaustedError. */
  acquire(count: number): number[] {
    if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`port count must be a non-negative integer, got ${count}`);
    const free = this.size() - this.taken.size;
    if (count > free) throw new PortsExhaustedError(count, free, this.range);
    const ports: number[] = [];
    while (ports.length < count) {
      const port = this.cursor;
      this.cursor = port === this.range.last ? this.range.first : port + 1;
      if (this.taken.has(port)) continue;
      this.taken.add(port);
      ports.push(port);
    }
    return ports;
  }

  /** Gives ports back; ports not taken (or outside the range) are ignored, so releasing twice is harmless. */
  release(ports: readonly number[]): void {
    for (const port of ports) this.taken.delete(port);
  }

  inUse(): number {
    return this.taken.size;
  }

  private size(): number {
    return this.range.last - this.range.first + 1;
  }
}
