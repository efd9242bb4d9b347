import { createServer } from 'node:net';

/** A loopback TCP port free right now (for an agent's HTTP endpoint). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function getStatus(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: await response.text() };
}

/** Prometheus text format → value by series (`name{label="v",…}` exactly as exported, or `name` alone). */
export function parseMetrics(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    series.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return series;
}

/** The value of the series of `name` whose labels include all of `labels` (0 when none). */
export function metricValue(series: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let total = 0;
  for (const [key, value] of series) {
    const brace = key.indexOf('{');
    const keyName = brace === -1 ? key : key.slice(0, brace);
    if (keyName !== name) continue;
    const keyLabels = brace === -1 ? [] : key.slice(brace + 1, -1).split(',');
    if (wanted.every((w) => keyLabels.includes(w))) total += value;
  }
  return total;
}
