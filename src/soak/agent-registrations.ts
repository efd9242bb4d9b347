import type { BackendEvent } from '../demo/embedded-backend';

/** Which agents the backend has registered, by name, and since when: to tell when chaos is over. */
export class AgentRegistrations {
  private readonly registered = new Map<string, { name: string; since: number }>();

  constructor(private readonly now: () => number) {}

  readonly listener = (event: BackendEvent): void => {
    if (event.kind === 'hello') this.registered.set(event.agent, { name: event.name, since: this.now() });
    if (event.kind === 'agent-dropped') this.registered.delete(event.agent);
  };

  /** Each name registered exactly once, from a hello after `since`. */
  settled(names: readonly string[], since: number): boolean {
    return names.every((name) => {
      const registrations = [...this.registered.values()].filter((r) => r.name === name);
      return registrations.length === 1 && registrations[0].since >= since;
    });
  }
}
