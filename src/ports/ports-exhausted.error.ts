/** Not enough free external ports for a job or student container: a job-level refusal, never an agent crash. */
export class PortsExhaustedError extends Error {
  constructor(
    readonly requested: number,
    readonly free: number,
    readonly range: { first: number; last: number },
  ) {
    super(`cannot allocate ${requested} external port(s): only ${free} free in ${range.first}-${range.last}`);
    this.name = 'PortsExhaustedError';
  }
}
