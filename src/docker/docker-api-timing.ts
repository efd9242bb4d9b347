import type Docker from 'dockerode';

export interface DockerCallTiming {
  operation: string;
  seconds: number;
  /** the engine failed or could not be reached (a 4xx answer is not a failure) */
  failed: boolean;
}

interface DialOptions {
  method?: string;
  path?: string;
}
type Dial = (options: DialOptions, callback: (error: unknown, data: unknown) => void) => unknown;

/** Ids in Engine API paths come after these segments, except for the fixed words below. */
const RESOURCES = new Set(['containers', 'images', 'exec', 'networks', 'volumes', 'plugins']);
const FIXED = new Set(['json', 'create', 'prune', 'load', 'search', 'get']);

/** "POST /containers/3f2a…/start?" → "POST /containers/{id}/start": one label per kind of call, whatever the ids. */
export function dockerOperation(method: string | undefined, path: string | undefined): string {
  const segments = (path ?? '').split('?')[0].split('/');
  const named = segments.map((segment, i) => (i > 0 && RESOURCES.has(segments[i - 1]) && !FIXED.has(segment) ? '{id}' : segment));
  return `${method ?? 'GET'} ${named.join('/').replace(/\/$/, '')}`;
}

/** A 4xx is the engine answering (no such container, already stopped…); anything else that went wrong is a failure. */
function engineFailed(error: unknown): boolean {
  if (!error) return false;
  const status = (error as { statusCode?: number }).statusCode;
  return !(typeof status === 'number' && status >= 400 && status < 500);
}

/** Reports the duration of every call the client makes (until its answer arrives), from the one place all go through. */
export function timeDockerCalls(client: Docker, report: (timing: DockerCallTiming) => void): void {
  const modem = client.modem as { dial: Dial };
  const dial = modem.dial.bind(modem);
  modem.dial = (options, callback) => {
    const startedAt = performance.now();
    return dial(options, (error, data) => {
      report({ operation: dockerOperation(options.method, options.path), seconds: (performance.now() - startedAt) / 1000, failed: engineFailed(error) });
      callback(error, data);
    });
  };
}
