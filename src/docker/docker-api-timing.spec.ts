import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { type DockerCallTiming, dockerOperation, timeDockerCalls } from './docker-api-timing';

describe('dockerOperation', () => {
  it('names a call by method and path with ids and query left out', () => {
    expect(dockerOperation('POST', '/containers/3f2a9c/start?')).toBe('POST /containers/{id}/start');
    expect(dockerOperation('DELETE', '/containers/3f2a9c?force=true&v=true')).toBe('DELETE /containers/{id}');
    expect(dockerOperation('POST', '/containers/create?')).toBe('POST /containers/create');
    expect(dockerOperation('GET', '/containers/json?all=true')).toBe('GET /containers/json');
    expect(dockerOperation('GET', '/images/sha256:abc/json')).toBe('GET /images/{id}/json');
    expect(dockerOperation('GET', '/info')).toBe('GET /info');
  });
});

describe('timeDockerCalls', () => {
  it('reports each call, failed only when the engine failed (not on a 4xx answer), and still hands the answer on', () => {
    const answers: unknown[] = [];
    const modem = {
      dial: (options: { path: string }, callback: (error: unknown, data: unknown) => void) =>
        options.path.includes('missing')
          ? callback(Object.assign(new Error('no such container'), { statusCode: 404 }), undefined)
          : options.path.includes('broken')
            ? callback(Object.assign(new Error('server error'), { statusCode: 500 }), undefined)
            : callback(null, 'ok'),
    };
    const timings: DockerCallTiming[] = [];
    timeDockerCalls({ modem } as unknown as Docker, (t) => timings.push(t));
    modem.dial({ method: 'POST', path: '/containers/abc/kill?' } as never, (error, data) => answers.push(error ?? data));
    modem.dial({ method: 'GET', path: '/containers/missing/json' } as never, (error) => answers.push((error as Error).message));
    modem.dial({ method: 'POST', path: '/containers/broken/start' } as never, (error) => answers.push((error as Error).message));
    expect(answers).toEqual(['ok', 'no such container', 'server error']);
    expect(timings.map(({ operation, failed }) => ({ operation, failed }))).toEqual([
      { operation: 'POST /containers/{id}/kill', failed: false },
      { operation: 'GET /containers/{id}/json', failed: false },
      { operation: 'POST /containers/{id}/start', failed: true },
    ]);
    expect(timings.every((t) => t.seconds >= 0)).toBe(true);
  });
});
