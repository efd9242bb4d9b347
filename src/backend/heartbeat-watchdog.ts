import { Injectable } from '@nestjs/common';
import { AgentConfig } from '../config/agent-config';
import { Timers } from './timers';

/**
 * Calls back when the backend has sent nothing for `backendSilenceMs` (the backend pings about every second). Also what
 * health and metrics read about the link: watching (hello said, not yet silent), last message time, silences so far.
 */
@Injectable()
export class HeartbeatWatchdog {
  private onSilence?: () => void;
  private cancel?: () => void;
  private heardAtMs?: number;
  private silenceCount = 0;

  constructor(
    private readonly config: AgentConfig,
    private readonly timers: Timers,
  ) {}

  get silenceMs(): number {
    return this.config.backendSilenceMs;
  }

  start(onSilence: () => void): void {
    this.onSilence = onSilence;
    this.rearm();
  }

  /** Something arrived from the backend. */
  feed(): void {
    if (!this.onSilence) return;
    this.heardAtMs = Date.now();
    this.rearm();
  }

  /** Between the hello and the next silence (or close). */
  get watching(): boolean {
    return this.onSilence !== undefined;
  }

  /** Date.now() of the last message on the current link; undefined before the first one. */
  get lastHeardAtMs(): number | undefined {
    return this.heardAtMs;
  }

  /** How many times the backend fell silent (each time the link was rebuilt). */
  get silences(): number {
    return this.silenceCount;
  }

  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
    this.onSilence = undefined;
    this.heardAtMs = undefined;
  }

  private rearm(): void {
    this.cancel?.();
    this.cancel = this.timers.after(this.config.backendSilenceMs, () => {
      const onSilence = this.onSilence;
      this.silenceCount += 1;
      this.stop();
      onSilence?.();
    });
  }
}
