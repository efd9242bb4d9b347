import { Injectable } from '@nestjs/common';
import { AgentConfig } from '../config/agent-config';
import { Timers } from './timers';

/** Calls back when the backend has sent nothing for `backendSilenceMs` (the backend pings about every second). */
@Injectable()
export class HeartbeatWatchdog {
  private onSilence?: () => void;
  private cancel?: () => void;

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
    if (this.onSilence) this.rearm();
  }

  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
    this.onSilence = undefined;
  }

  private rearm(): void {
    this.cancel?.();
    this.cancel = this.timers.after(this.config.backendSilenceMs, () => {
      const onSilence = this.onSilence;
      this.stop();
      onSilence?.();
    });
  }
}
