import type { ChaosEvent } from './chaos-plan';
import type { SoakLedger } from './soak-ledger';

/** The faults themselves, and how to know their effects are over. */
export interface ChaosActions {
  agentName(index: number): string;
  restartBackend(): Promise<void>;
  /** SIGKILL, then start it again with the same settings */
  restartAgent(index: number): Promise<void>;
  /** removes some running grading containers of this agent behind its back; returns their job ids */
  removeContainers(index: number): Promise<string[]>;
  /** stops every container on the engine: only ever when `dockerd` was named */
  restartDockerd(): Promise<void>;
  /** resolves when each of these agents (all when undefined) is registered once, from a hello sent at `since` or later */
  settled(agents: string[] | undefined, since: number): Promise<void>;
}

/**
 * Runs chaos events one at a time (one agent hit at a time) and tells the ledger which jobs chaos may have ended, so
 * that their crashes are excused and counted apart.
 */
export class ChaosRunner {
  private queue: Promise<void> = Promise.resolve();
  readonly done: Array<{ event: ChaosEvent; seconds: number; detail: string }> = [];
  /** events whose fault could not be made, or whose agents did not come back */
  readonly failed: Array<{ event: ChaosEvent; error: string }> = [];

  constructor(
    private readonly actions: ChaosActions,
    private readonly ledger: SoakLedger,
    private readonly now: () => number,
    private readonly say: (line: string) => void,
  ) {}

  fire(event: ChaosEvent): void {
    this.queue = this.queue
      .then(() => this.run(event))
      .catch((error: Error) => {
        this.failed.push({ event, error: error.message });
        this.say(`chaos ${event.kind} failed: ${error.message}`);
      });
  }

  /** resolves when every event fired so far is over */
  idle(): Promise<void> {
    return this.queue;
  }

  private async run(event: ChaosEvent): Promise<void> {
    const started = this.now();
    const agent = event.agent === undefined ? undefined : this.actions.agentName(event.agent);
    this.say(`chaos: ${event.kind}${agent ? ` on ${agent}` : ''} (after job ${event.atJob})`);
    let detail = '';
    if (event.kind === 'containers') {
      const jobIds = await this.actions.removeContainers(event.agent ?? 0);
      for (const jobId of jobIds) this.ledger.containerRemoved(jobId);
      detail = `${jobIds.length} container(s) removed`;
    } else {
      const end = this.ledger.disturb(event.kind, agent ? [agent] : undefined, started);
      if (event.kind === 'backend') await this.actions.restartBackend();
      else if (event.kind === 'agent') await this.actions.restartAgent(event.agent ?? 0);
      else await this.actions.restartDockerd();
      // A Docker restart must not cost an agent its registration (Pongs never wait on Docker): one made before counts.
      await this.actions.settled(agent ? [agent] : undefined, event.kind === 'dockerd' ? 0 : started);
      end(this.now());
      detail = 'recovered';
    }
    const seconds = (this.now() - started) / 1000;
    this.done.push({ event, seconds, detail });
    this.say(`chaos: ${event.kind}${agent ? ` on ${agent}` : ''}: ${detail} in ${seconds.toFixed(1)} s`);
  }
}
