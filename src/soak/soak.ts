import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EmbeddedBackend } from '../demo/embedded-backend';
import { createDockerClient } from '../docker/docker.client';
import { AgentRegistrations } from './agent-registrations';
import { planChaos, seededRandom } from './chaos-plan';
import { ChaosRunner } from './chaos-runner';
import { removeGradingContainers, restartDockerd } from './engine-chaos';
import { findLeftovers, type Leftovers } from './leftovers';
import { SoakAgent } from './soak-agents';
import { SoakLedger } from './soak-ledger';
import { SOAK_MIX, soakJob } from './soak-mix';
import { MAX_AGENTS, parseSoakOptions, type SoakOptions } from './soak-options';
import { soakReport } from './soak-report';

const REPO = resolve(__dirname, '..', '..');
const SAMPLE_EVERY_MS = 2000;
const PROGRESS_EVERY_MS = 5000;
const SETTLE_TIMEOUT_MS = 60_000;
const IDLE_TIMEOUT_MS = 60_000;
const PORTS_PER_AGENT = 4;

const say = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `npm run soak`: N agents under an embedded INGInious backend grade a mix of jobs covering every outcome, while
 * chaos strikes if asked; then a report, and exit code 0 only when nothing was lost, duplicated, mismatched or leaked.
 */
async function main(options: SoakOptions): Promise<boolean> {
  const started = performance.now();
  const now = () => performance.now() - started;
  const random = seededRandom(options.seed);
  const runDir = join(REPO, '.cache', 'soak', `run-${process.pid}`);
  const tasksDir = join(runDir, 'tasks');
  // the two courses stay where they live; the agents see them side by side in one tasks folder
  cpSync(join(REPO, 'tasks', 'sample'), join(tasksDir, 'sample'), { recursive: true });
  cpSync(join(REPO, 'test', 'fixtures', 'tasks', 'testcourse'), join(tasksDir, 'testcourse'), { recursive: true });

  const docker = createDockerClient();
  const backend = await EmbeddedBackend.start();
  const ledger = new SoakLedger();
  const registrations = new AgentRegistrations(now);
  let pongMaxMs = 0;
  let ignoredAgentDones = 0;
  backend.onEvent(registrations.listener);
  backend.onEvent((event) => {
    if (event.kind === 'job-sent') ledger.sent(event.jobId, event.name, now());
    if (event.kind === 'agent-job-done') {
      ledger.agentDone(event.jobId);
      if (!event.accepted) ignoredAgentDones++;
    }
    if (event.kind === 'pong') pongMaxMs = Math.max(pongMaxMs, event.ms);
  });

  // port ranges of soaks running side by side (e.g. the short one of npm test) do not overlap
  const portBase = 43_000 + (process.pid % 300) * PORTS_PER_AGENT * MAX_AGENTS;
  const agents = Array.from({ length: options.agents }, (_, i) => {
    const name = `soak-agent-${i + 1}`;
    return new SoakAgent({
      name,
      agentId: `soak-${process.pid}-${i + 1}`,
      workDir: join(runDir, name, 'work'),
      logDir: join(runDir, 'logs'),
      ports: { first: portBase + i * PORTS_PER_AGENT, last: portBase + (i + 1) * PORTS_PER_AGENT - 1 },
      concurrency: Math.ceil(options.concurrency / options.agents),
      tasksDir,
      backendAddress: backend.address,
    });
  });
  const names = agents.map((a) => a.settings.name);
  const settled = async (which: string[] | undefined, since: number) => {
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    while (!registrations.settled(which ?? names, since)) {
      if (Date.now() > deadline) throw new Error(`${(which ?? names).join(', ')} not registered again within ${SETTLE_TIMEOUT_MS / 1000} s`);
      await sleep(200);
    }
  };

  const chaos = new ChaosRunner(
    {
      agentName: (index) => names[index],
      restartBackend: () => backend.restart(),
      restartAgent: (index) => agents[index].killAndRestart(),
      removeContainers: (index) => removeGradingContainers(docker, agents[index].settings.agentId, random),
      restartDockerd: () => restartDockerd(docker, join(REPO, 'scripts', 'ensure-docker.sh')),
      settled,
    },
    ledger,
    now,
    (line) => say(`[${(now() / 1000).toFixed(0).padStart(5)} s] ${line}`),
  );
  const events = planChaos(options.chaos, options.jobs, options.agents, random);

  say(`soak: ${options.jobs} jobs, concurrency ${options.concurrency}, ${options.agents} agent(s), chaos ${options.chaos.join(',') || 'none'}, seed ${options.seed}`);
  say(`backend ${backend.address}; agent logs in ${join(runDir, 'logs')}`);
  if (options.chaos.includes('dockerd')) say('chaos dockerd: restarting the Docker engine stops EVERY container on it, not only the soak\'s');
  for (const agent of agents) agent.start();
  stopOnInterrupt(agents, backend);
  await settled(undefined, 0);

  const sampler = setInterval(() => agents.forEach((a) => a.sample(now() / 1000)), SAMPLE_EVERY_MS);
  const progress = setInterval(() => {
    const s = ledger.summary();
    say(`[${(now() / 1000).toFixed(0).padStart(5)} s] ${ledger.endedCount}/${options.jobs} ended, ${ledger.inFlight} in flight, ` +
      `mismatched ${s.mismatches.length}, chaos-excused ${Object.values(s.excused).reduce((a, b) => a + (b ?? 0), 0)}, Pong max ${pongMaxMs.toFixed(0)} ms`);
  }, PROGRESS_EVERY_MS);
  agents.forEach((a) => a.sample(0));

  const order = SOAK_MIX.map((_, i) => i).sort(() => random() - 0.5);
  let next = 0;
  const worker = async () => {
    while (next < options.jobs) {
      const index = next++;
      for (const event of events.filter((e) => e.atJob === index)) chaos.fire(event);
      const soakCase = SOAK_MIX[order[index % order.length]];
      const jobId = `soak-${index}-${randomUUID().slice(0, 8)}`;
      ledger.submitted(jobId, soakCase, now());
      const done = backend.submit(soakJob(jobId, soakCase));
      if (soakCase.killAfterMs) {
        const [min, max] = soakCase.killAfterMs;
        setTimeout(() => backend.kill(jobId), min + random() * (max - min));
      }
      const ended = await Promise.race([done, sleep(options.jobTimeoutS * 1000).then(() => undefined)]);
      if (ended) ledger.ended(jobId, ended, now());
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  await chaos.idle();
  const seconds = now() / 1000;

  const footprints = agents.map((a) => a.settings);
  let leftovers = await findLeftovers(docker, footprints);
  for (const deadline = Date.now() + IDLE_TIMEOUT_MS; hasAny(leftovers) && Date.now() < deadline; ) {
    await sleep(1000);
    leftovers = await findLeftovers(docker, footprints);
  }
  agents.forEach((a) => a.sample(now() / 1000));
  clearInterval(sampler);
  clearInterval(progress);
  await Promise.all(agents.map((a) => a.stop()));
  const leftoversAfterStop = await findLeftovers(docker, footprints);
  backend.close();

  const report = soakReport({
    title: `${options.jobs} jobs, concurrency ${options.concurrency}, ${options.agents} agent(s), chaos ${options.chaos.join(',') || 'none'}, seed ${options.seed}`,
    seconds,
    summary: ledger.summary(),
    chaos: chaos.done.map(({ event, seconds: s, detail }) => ({ kind: event.kind, agent: event.agent === undefined ? undefined : names[event.agent], seconds: s, detail })),
    chaosFailures: chaos.failed.map(({ event, error }) => `${event.kind}${event.agent === undefined ? '' : `@${names[event.agent]}`}: ${error}`),
    pongMaxMs,
    ignoredAgentDones,
    usage: agents.flatMap((a) => a.series),
    logBytes: logBytes(join(runDir, 'logs')),
    leftovers,
    leftoversAfterStop,
  });
  say('');
  say(report.text);
  mkdirSync(join(REPO, '.cache', 'soak'), { recursive: true });
  writeFileSync(join(REPO, '.cache', 'soak', 'last-report.txt'), `${report.text}\n`);
  writeFileSync(join(REPO, '.cache', 'soak', 'last-usage.csv'), usageCsv(agents));
  rmSync(tasksDir, { recursive: true, force: true });
  for (const agent of agents) rmSync(join(runDir, agent.settings.name), { recursive: true, force: true });
  if (report.passed) rmSync(runDir, { recursive: true, force: true });
  else say(`agent logs kept in ${join(runDir, 'logs')}`);
  return report.passed;
}

/** Ctrl-C (or a failure) must not leave agents running: they are stopped (SIGTERM: they remove their containers). */
function stopOnInterrupt(agents: SoakAgent[], backend: EmbeddedBackend): void {
  const stopAll = () => {
    process.stderr.write('soak: stopping the agents\n');
    void Promise.all(agents.map((a) => a.stop())).finally(() => {
      backend.close();
      process.exit(130);
    });
  };
  process.once('SIGINT', stopAll);
  process.once('SIGTERM', stopAll);
  activeAgents = agents;
}

let activeAgents: SoakAgent[] = [];

function usageCsv(agents: SoakAgent[]): string {
  const rows = agents.flatMap((a) => a.series.flatMap((series) => series.samples.map((x) => `${series.agent},${series.pid},${x.t.toFixed(1)},${x.rssMiB.toFixed(1)},${x.cpuSeconds.toFixed(2)}`)));
  return ['agent,pid,seconds,rss_mib,cpu_seconds', ...rows, ''].join('\n');
}

function hasAny(leftovers: Leftovers): boolean {
  return leftovers.containers.length + leftovers.jobFolders.length + leftovers.ports.length > 0;
}

function logBytes(logDir: string): Record<string, number> {
  const bytes: Record<string, number> = {};
  for (const file of readdirSync(logDir)) {
    const agent = file.split('.')[0];
    bytes[agent] = (bytes[agent] ?? 0) + statSync(join(logDir, file)).size;
  }
  return bytes;
}

let options: SoakOptions;
try {
  options = parseSoakOptions(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`soak: ${(error as Error).message}\n`);
  process.exit(2);
}
main(options).then(
  (passed) => process.exit(passed ? 0 : 1),
  async (error: Error) => {
    process.stderr.write(`soak failed: ${error.stack ?? error.message}\n`);
    await Promise.all(activeAgents.map((a) => a.stop()));
    process.exit(1);
  },
);
