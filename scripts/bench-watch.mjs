#!/usr/bin/env node
// Cost and precision of limit watching: our cgroup sweep against one Docker stats stream per container (the Python
// agent's way), on the local engine. Uses the compiled agent: `npm run build && node scripts/bench-watch.mjs [seconds]`.
// Env: BENCH_WATCH_SECONDS (per watching method, default 60), BENCH_WATCH_CONTAINERS (default 8), BENCH_WATCH_TRIALS (default 3).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';

const require = createRequire(import.meta.url);
const dist = new URL('../dist/', import.meta.url).pathname;
if (!existsSync(`${dist}timeouts/timeouts.service.js`)) {
  console.error('dist/ has no compiled agent: run `npm run build` first');
  process.exit(1);
}
const { parseAgentConfig } = require(`${dist}config/agent-config.js`);
const { cpuSeconds, CLOCK_TICKS_PER_SECOND } = require(`${dist}bench/process-usage.js`);
const { DockerGateway } = require(`${dist}docker/docker.gateway.js`);
const { LABEL_AGENT_ID } = require(`${dist}docker/docker.labels.js`);
const { CgroupCpuReader } = require(`${dist}timeouts/cgroup-cpu-reader.js`);
const { CgroupFiles } = require(`${dist}timeouts/cgroup-files.js`);
const { SystemClock } = require(`${dist}timeouts/clock.js`);
const { ContainerCpuUsage } = require(`${dist}timeouts/container-cpu-usage.js`);
const { DockerStatsCpuReader } = require(`${dist}timeouts/docker-stats-cpu-reader.js`);
const { SweepSettings } = require(`${dist}timeouts/sweep-settings.js`);
const { TimeoutsService } = require(`${dist}timeouts/timeouts.service.js`);
const { PinoLogger } = require('nestjs-pino');

const SECONDS = Number(process.argv[2] ?? process.env.BENCH_WATCH_SECONDS ?? 60);
const CONTAINERS = Number(process.env.BENCH_WATCH_CONTAINERS ?? 8);
const TRIALS = Number(process.env.BENCH_WATCH_TRIALS ?? 3);
// Phases run in turn, slice by slice, and the quietest slice is kept: other work on a shared engine only adds, in bursts.
const SLICE_SECONDS = 10;
const IMAGE = 'inginious-agent-test/busybox:latest';
const AGENT_ID = `bench-watch-${process.pid}`;

const config = (dockerHost) =>
  parseAgentConfig({
    AGENT_BACKEND_ADDR: 'tcp://127.0.0.1:2001',
    AGENT_FRIENDLY_NAME: 'bench-watch',
    AGENT_CONCURRENCY: String(CONTAINERS),
    AGENT_ID,
    AGENT_LOG_LEVEL: 'warn',
    DOCKER_HOST: dockerHost,
  });
const logger = new PinoLogger({ pinoHttp: { level: 'warn' } });
const gateway = new DockerGateway(config(process.env.DOCKER_HOST));
const docker = gateway.streamingClient();
const cgroupReader = new CgroupCpuReader(new CgroupFiles(), gateway, logger);
const statsReader = new DockerStatsCpuReader(gateway);

/** The agent's watcher with counted reads; `pretendRemote` makes it read through one-shot Docker stats. */
function watcher(settings, pretendRemote = false) {
  const usage = new ContainerCpuUsage(config(pretendRemote ? 'tcp://pretend-remote:2375' : undefined), cgroupReader, statsReader, logger);
  const counted = {
    reads: 0,
    sources: new Set(),
    read: async (id) => {
      counted.reads++;
      const reading = await usage.read(id);
      counted.sources.add(reading.source ?? reading.kind);
      return reading;
    },
    forget: (id) => usage.forget(id),
  };
  return { service: new TimeoutsService(counted, new SystemClock(), settings, logger), counted };
}

async function startContainer(cmd) {
  const id = await gateway.createContainer({
    Image: IMAGE,
    Cmd: cmd,
    Labels: { [LABEL_AGENT_ID]: AGENT_ID, 'org.inginious.agent.test': '1' },
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    HostConfig: { Memory: 64 << 20, MemorySwap: 64 << 20, NetworkMode: 'none', Binds: [] },
  });
  await gateway.start(id);
  return id;
}

async function removeOurContainers() {
  const ours = await docker.listContainers({ all: true, filters: { label: [`${LABEL_AGENT_ID}=${AGENT_ID}`] } });
  await Promise.all(ours.map((c) => gateway.remove(c.Id)));
}

function cpuSecondsOf(pid) {
  try {
    return cpuSeconds(pid);
  } catch {
    return 0; // the process is gone
  }
}

function pidsNamed(name) {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** The containerd shims of our containers: the parents of their first processes. */
async function shimPidsOf(ids) {
  const pids = await Promise.all(
    ids.map(async (id) => {
      const { pid } = await gateway.inspect(id);
      return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
    }),
  );
  return [...new Set(pids)];
}

/** CPU seconds used by each group of processes while `run` runs; `run` answers a count of the work done. */
async function measure(processes, run) {
  const sum = (pids) => pids.reduce((total, pid) => total + cpuSecondsOf(pid), 0);
  const before = Object.fromEntries(Object.entries(processes).map(([k, pids]) => [k, sum(pids)]));
  const work = await run();
  const used = Object.fromEntries(Object.entries(processes).map(([k, pids]) => [k, sum(pids) - before[k]]));
  return { ...used, work };
}

async function watchIdle(ids, seconds, settings, pretendRemote) {
  const { service, counted } = watcher(settings, pretendRemote);
  for (const id of ids) service.watch(id, { cpuSeconds: 30, wallSeconds: seconds + 60 }, () => {});
  await sleep(seconds * 1000);
  for (const id of ids) service.unwatch(id);
  return { count: counted.reads, unit: `reads (${[...counted.sources].join(', ')})` };
}

/** One decoded stats stream per container, checking CPU against the limit on every sample, as the Python agent does. */
async function statsStreams(ids, seconds) {
  let samples = 0;
  const streams = await Promise.all(ids.map((id) => docker.getContainer(id).stats({ stream: true })));
  for (const stream of streams) {
    let buffered = '';
    stream.on('data', (chunk) => {
      buffered += chunk.toString();
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const stats = JSON.parse(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
        samples++;
        if (stats.cpu_stats.cpu_usage.total_usage / 1e9 > 30) throw new Error('unexpected: an idle container used 30 s');
      }
    });
    stream.on('error', () => {});
  }
  await sleep(seconds * 1000);
  for (const stream of streams) stream.destroy();
  return { count: samples, unit: 'stats samples' };
}

/** A busy loop watched with a 2 CPU-second limit and killed when reported; its CPU when reported and when it died. */
async function killTrial() {
  const id = await startContainer(['sh', '-c', 'while :; do :; done']);
  const { service } = watcher(SweepSettings.forThisHost());
  const atReport = await new Promise((resolve) =>
    service.watch(id, { cpuSeconds: 2, wallSeconds: 60 }, () => {
      resolve(cgroupReader.read(id));
      void gateway.kill(id);
    }),
  );
  let atDeath = atReport;
  for (let seconds = atReport; seconds !== undefined; seconds = await cgroupReader.read(id)) {
    atDeath = seconds;
    await sleep(5);
  }
  await gateway.remove(id);
  return { atReport, atDeath };
}

/** Per phase: the quietest of its slices in CPU milliseconds per second, per process group; the work summed. */
function printTable(phases, slices, sliceSeconds) {
  const keys = ['agent', 'dockerd', 'containerd', 'shims'];
  const header = ['watching', ...keys, 'total', 'work'];
  const lines = phases.map(({ name }, i) => {
    const quietest = keys.map((k) => (1000 * Math.min(...slices[i].map((slice) => slice[k]))) / sliceSeconds);
    const work = slices[i].reduce((total, slice) => total + (slice.work?.count ?? 0), 0);
    const unit = slices[i][0].work?.unit ?? '';
    return [name, ...[...quietest, quietest.reduce((a, b) => a + b, 0)].map((v) => v.toFixed(1)), unit ? `${work} ${unit}` : ''];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells) =>
    cells.map((c, i) => (i === 0 || i === header.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(format(header));
  for (const line of lines) console.log(format(line));
}

async function main() {
  execFileSync('bash', [new URL('./build-test-images.sh', import.meta.url).pathname], { stdio: 'inherit' });
  const info = await gateway.engineInfo();
  const sliceSeconds = Math.min(SLICE_SECONDS, SECONDS);
  const rounds = Math.max(1, Math.round(SECONDS / sliceSeconds));
  const ids = await Promise.all(Array.from({ length: CONTAINERS }, () => startContainer(['sleep', '1000000'])));
  const processes = { agent: [process.pid], dockerd: pidsNamed('dockerd'), containerd: pidsNamed('containerd'), shims: await shimPidsOf(ids) };
  const host = SweepSettings.forThisHost();
  const worstCase = new SweepSettings(host.minPeriodMs, host.minPeriodMs, host.cpuCount);
  const phases = [
    { name: 'nothing (baseline)', run: async (s) => void (await sleep(s * 1000)) },
    { name: `cgroup sweep, adaptive (${host.minPeriodMs}-${host.maxPeriodMs} ms)`, run: (s) => watchIdle(ids, s, host) },
    { name: `cgroup sweep, every ${host.minPeriodMs} ms (worst case)`, run: (s) => watchIdle(ids, s, worstCase) },
    { name: 'one-shot stats sweep, adaptive (remote fallback)', run: (s) => watchIdle(ids, s, host, true) },
    { name: 'one stats stream per container (Python agent)', run: (s) => statsStreams(ids, s) },
  ];
  console.log(
    `engine: cgroup v${info.cgroupVersion} (${info.cgroupDriver}), ${host.cpuCount} CPUs; ${CONTAINERS} sleeping containers watched ` +
      `(cpu 30 s, wall ${SECONDS + 60} s); ${rounds} round(s) of ${sliceSeconds} s slices, phases interleaved`,
  );
  const slices = phases.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, phase] of phases.entries()) slices[i].push(await measure(processes, () => phase.run(sliceSeconds)));
  }
  console.log(`CPU milliseconds per second, quietest slice per process group (10 = 1 % of one CPU; resolution ${(1000 / CLOCK_TICKS_PER_SECOND / sliceSeconds).toFixed(1)}):`);
  printTable(phases, slices, sliceSeconds);

  console.log(`\nkill precision: busy loop, cpuSeconds limit 2, ${TRIALS} trials`);
  for (let trial = 1; trial <= TRIALS; trial++) {
    const { atReport, atDeath } = await killTrial();
    console.log(`  trial ${trial}: CPU when reported ${atReport.toFixed(3)} s, at death ${atDeath.toFixed(3)} s (over by ${(atDeath - 2).toFixed(3)} s)`);
  }
}

let cleaning;
const cleanUp = () => (cleaning ??= removeOurContainers());
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    console.error(`\n${signal}: removing the benchmark's containers`);
    void cleanUp().finally(() => process.exit(130));
  });
}

try {
  await main();
} finally {
  await cleanUp();
}
