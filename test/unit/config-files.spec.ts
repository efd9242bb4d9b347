import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { HeartbeatWatchdog } from '../../src/backend/heartbeat-watchdog';
import type { AgentConfig } from '../../src/config/agent-config';
import type { DockerEvents } from '../../src/docker/docker-events.service';
import type { RunningJobs } from '../../src/jobs/running-jobs.registry';
import { AgentMetrics } from '../../src/observability/agent-metrics';
import type { StudentContainersRegistry } from '../../src/student-containers/student-containers.registry';
import { Telemetry } from '../../src/telemetry/telemetry';
import type { WarmPool } from '../../src/warm-pool/warm-pool.service';

const CONFIG = join(__dirname, '../../config');
const read = (path: string) => readFileSync(join(CONFIG, path), 'utf8');

/** Prometheus' own series, present for every scrape target. */
const PROMETHEUS_SERIES = new Set(['up']);
const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/** Every series name the agent's /metrics exports (histograms as their _bucket, _sum and _count series). */
async function exportedSeries(): Promise<Set<string>> {
  const metrics = new AgentMetrics(
    { friendlyName: 'a', agentId: 'b', concurrency: 1 } as AgentConfig,
    new Telemetry(),
    { size: 0, all: () => [] } as unknown as RunningJobs,
    { all: () => [] } as unknown as StudentContainersRegistry,
    { watching: false, silences: 0 } as HeartbeatWatchdog,
    { isAlive: () => true } as unknown as DockerEvents,
    { stats: () => ({ idle: 0, hits: 0, misses: 0 }) } as unknown as WarmPool,
  );
  const names = new Set<string>();
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    const type = String(metric.type);
    const suffixes = type === 'histogram' ? ['_bucket', '_sum', '_count'] : type === 'summary' ? ['', '_sum', '_count'] : [''];
    for (const suffix of suffixes) names.add(metric.name + suffix);
  }
  return names;
}

/** The series names a PromQL expression reads: label matchers, ranges, strings, grouping clauses and functions left out. */
function seriesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names: string[] = [];
  for (const match of bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*(?=\s*(\()?)/g)) {
    if (match[1] || PROMQL_WORDS.has(match[0].toLowerCase())) continue;
    names.push(match[0]);
  }
  return names;
}

interface AlertRule {
  alert: string;
  expr: string;
}

describe('config/ files an operator deploys', () => {
  it('reads series names out of PromQL', () => {
    expect(seriesIn('sum by (instance) (rate(agent_jobs_total{result="crash"}[15m])) / sum(rate(agent_jobs_total[5m])) > 0.1')).toEqual([
      'agent_jobs_total',
      'agent_jobs_total',
    ]);
    expect(seriesIn('histogram_quantile(0.95, sum by (le) (rate(x_bucket{instance=~"$instance"}[$__rate_interval]))) or y == 0')).toEqual(['x_bucket', 'y']);
  });

  it('the alert rules parse, cover the five alerts, and use only series the agent exports', async () => {
    const exported = await exportedSeries();
    const rules = (parse(read('prometheus/agent-alerts.yml')) as { groups: { rules: AlertRule[] }[] }).groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual([
      'InginiousAgentDown',
      'InginiousAgentNotRegistered',
      'InginiousAgentSlotsSaturated',
      'InginiousAgentCrashRatioHigh',
      'InginiousAgentDockerErrors',
    ]);
    for (const rule of rules) {
      const used = seriesIn(rule.expr);
      expect(used.length, rule.alert).toBeGreaterThan(0);
      for (const name of used) expect(exported.has(name) || PROMETHEUS_SERIES.has(name), `${rule.alert}: ${name}`).toBe(true);
    }
  });

  it('the Grafana dashboard parses and its panels and variables use only series the agent exports', async () => {
    const exported = await exportedSeries();
    const dashboard = JSON.parse(read('grafana/inginious-agent-dashboard.json')) as {
      panels: { title: string; targets: { expr: string }[] }[];
      templating: { list: { query: string | { query: string } }[] };
    };
    const used = new Set<string>();
    for (const panel of dashboard.panels) {
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets) for (const name of seriesIn(target.expr)) used.add(name);
    }
    for (const variable of dashboard.templating.list) {
      const query = typeof variable.query === 'string' ? variable.query : variable.query.query;
      const labelValues = /^label_values\((\w+),/.exec(query);
      if (labelValues) used.add(labelValues[1]);
    }
    expect(used.size).toBeGreaterThan(10);
    for (const name of used) expect(exported.has(name), name).toBe(true);
  });

  it("the compose override replaces INGInious' agent-docker image and keeps its environment and layout", () => {
    const override = parse(read('compose/docker-compose.agent.yml'), { customTags: [{ tag: '!reset', resolve: () => null }] }) as {
      services: Record<string, { image: string; environment: Record<string, string>; healthcheck: { test: string[] }; cap_add: string[] }>;
    };
    const service = override.services['agent-docker'];
    expect(service.image).toBe('inginious-docker-agent:latest');
    expect(service.environment.BACKEND).toBe('tcp://backend:2001');
    expect(service.healthcheck.test.join(' ')).toContain('/health/ready');
    expect(service.cap_add).toEqual(['SYS_NICE']); // AGENT_BACKEND_LINK_NICE
  });

  it('the systemd unit starts the built agent, drains on SIGTERM and does not restart on a configuration error', () => {
    const lines = read('systemd/inginious-agent.service').split('\n');
    const setting = (key: string) => lines.find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1);
    expect(setting('ExecStart')).toMatch(/node \S+\/dist\/main\.js$/);
    expect(setting('KillSignal')).toBe('SIGTERM');
    expect(setting('RestartPreventExitStatus')).toBe('2');
    expect(setting('AmbientCapabilities')).toBe('CAP_SYS_NICE'); // AGENT_BACKEND_LINK_NICE, as a user without root
    expect(lines).toContain('[Install]');
  });
});
