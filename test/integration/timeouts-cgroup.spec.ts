import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { Test, type TestingModule } from '@nestjs/testing';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type AgentConfig, parseAgentConfig } from '../../src/config/agent-config';
import { ConfigModule } from '../../src/config/config.module';
import { DockerEvents } from '../../src/docker/docker-events.service';
import { LABEL_AGENT_ID } from '../../src/docker/docker.labels';
import { CgroupCpuReader } from '../../src/timeouts/cgroup-cpu-reader';
import { ContainerCpuUsage } from '../../src/timeouts/container-cpu-usage';
import { DockerStatsCpuReader } from '../../src/timeouts/docker-stats-cpu-reader';
import { TimeoutsModule } from '../../src/timeouts/timeouts.module';
import { TimeoutsService } from '../../src/timeouts/timeouts.service';
import type { ExceededReason } from '../../src/timeouts/watch-limits';
import { LoggingModule } from '../../src/logging/logging.module';

const IMAGE = 'inginious-agent-test/busybox:latest';
const AGENT_ID = `timeouts-it-${process.pid}-${Date.now()}`;
const docker = new Docker();

function testConfig(): AgentConfig {
  return parseAgentConfig({
    AGENT_BACKEND_ADDR: 'tcp://127.0.0.1:2001',
    AGENT_FRIENDLY_NAME: 'timeouts-it',
    AGENT_CONCURRENCY: '1',
    AGENT_ID,
    AGENT_LOG_LEVEL: 'warn',
    DOCKER_HOST: process.env.DOCKER_HOST,
  });
}

async function startContainer(cmd: string[]): Promise<string> {
  const container = await docker.createContainer({
    Image: IMAGE,
    Cmd: cmd,
    Labels: { [LABEL_AGENT_ID]: AGENT_ID, 'org.inginious.agent.test': '1' },
    HostConfig: { NetworkMode: 'none' },
  });
  await container.start();
  return container.id;
}

async function removeOurContainers(): Promise<void> {
  const ours = await docker.listContainers({ all: true, filters: { label: [`${LABEL_AGENT_ID}=${AGENT_ID}`] } });
  await Promise.all(ours.map((c) => docker.getContainer(c.Id).remove({ force: true })));
}

/** Resolves with the first reason given to the handler, and the time it took. */
function exceededOnce(): { handler: (reason: ExceededReason) => void; calls: ExceededReason[]; first: Promise<ExceededReason> } {
  const calls: ExceededReason[] = [];
  let resolveFirst!: (reason: ExceededReason) => void;
  const first = new Promise<ExceededReason>((r) => (resolveFirst = r));
  return {
    calls,
    first,
    handler: (reason) => {
      calls.push(reason);
      resolveFirst(reason);
    },
  };
}

describe('TimeoutsService against the real engine (cgroup path)', () => {
  let moduleRef: TestingModule;
  let timeouts: TimeoutsService;
  let cgroup: CgroupCpuReader;
  let usage: ContainerCpuUsage;
  let dockerStats: DockerStatsCpuReader;

  beforeAll(async () => {
    execFileSync('bash', [resolve(__dirname, '../../scripts/build-test-images.sh')], { stdio: 'inherit' });
    moduleRef = await Test.createTestingModule({ imports: [ConfigModule.forRoot(testConfig()), LoggingModule.forRoot(), TimeoutsModule] })
      .overrideProvider(DockerEvents)
      .useValue({})
      .compile();
    await moduleRef.init();
    timeouts = moduleRef.get(TimeoutsService);
    cgroup = moduleRef.get(CgroupCpuReader);
    usage = moduleRef.get(ContainerCpuUsage);
    dockerStats = moduleRef.get(DockerStatsCpuReader);
  });

  afterAll(async () => {
    await moduleRef?.close();
    await removeOurContainers();
  });

  it('reads a running container through its cgroup', async () => {
    const id = await startContainer(['sleep', '600']);
    const reading = await usage.read(id);
    expect(reading).toMatchObject({ kind: 'usage', source: 'cgroup' });
    expect(reading.kind === 'usage' && reading.cpuSeconds).toBeGreaterThanOrEqual(0);
    await docker.getContainer(id).remove({ force: true });
  });

  it('kills on CPU time: a busy loop is reported as cpu having used between 2 and 2.5 CPU-seconds', async () => {
    const id = await startContainer(['sh', '-c', 'while :; do :; done']);
    const statsReads = vi.spyOn(dockerStats, 'read');
    const exceeded = exceededOnce();
    let cpuAtReport: Promise<number | undefined> | undefined;
    timeouts.watch(id, { cpuSeconds: 2, wallSeconds: 60 }, (reason) => {
      cpuAtReport = cgroup.read(id);
      exceeded.handler(reason);
    });

    expect(await exceeded.first).toBe('cpu');
    const consumed = await cpuAtReport;
    await docker.getContainer(id).kill();
    expect(consumed).toBeGreaterThanOrEqual(2);
    expect(consumed).toBeLessThanOrEqual(2.5);
    await new Promise((r) => setTimeout(r, 500));
    expect(exceeded.calls).toEqual(['cpu']);
    expect(statsReads).not.toHaveBeenCalled();
    statsReads.mockRestore();
  });

  it('kills on wall time: a sleeping container is reported as wall after about 2 s', async () => {
    const id = await startContainer(['sleep', '600']);
    const exceeded = exceededOnce();
    const watchedAt = performance.now();
    timeouts.watch(id, { cpuSeconds: 2, wallSeconds: 2 }, exceeded.handler);

    expect(await exceeded.first).toBe('wall');
    const elapsedMs = performance.now() - watchedAt;
    expect(elapsedMs).toBeGreaterThanOrEqual(2_000);
    expect(elapsedMs).toBeLessThan(2_500);
    await new Promise((r) => setTimeout(r, 300));
    expect(exceeded.calls).toEqual(['wall']);
    await docker.getContainer(id).remove({ force: true });
  });

  it('takes a container that died as gone, and keeps watching the others', async () => {
    const dying = await startContainer(['sleep', '600']);
    const other = await startContainer(['sleep', '600']);
    const dyingExceeded = exceededOnce();
    const otherExceeded = exceededOnce();
    timeouts.watch(dying, { cpuSeconds: 2, wallSeconds: 60 }, dyingExceeded.handler);
    timeouts.watch(other, { cpuSeconds: 2, wallSeconds: 1.5 }, otherExceeded.handler);
    expect((await usage.read(dying)).kind).toBe('usage');
    await docker.getContainer(dying).kill();
    await docker.getContainer(dying).wait();

    expect(await usage.read(dying)).toEqual({ kind: 'gone' });
    expect(await otherExceeded.first).toBe('wall');
    expect(dyingExceeded.calls).toEqual([]);
    timeouts.unwatch(dying);
  });

  it('reads CPU through one-shot Docker stats too (the fallback), and nothing for a stopped container', async () => {
    const id = await startContainer(['sh', '-c', 'i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; sleep 600']);
    await new Promise((r) => setTimeout(r, 300));
    const fromStats = await dockerStats.read(id);
    const fromCgroup = await cgroup.read(id);
    expect(fromStats).toBeGreaterThan(0);
    expect(Math.abs((fromCgroup ?? 0) - (fromStats ?? 0))).toBeLessThan(0.5);
    await docker.getContainer(id).kill();
    await docker.getContainer(id).wait();
    expect(await dockerStats.read(id)).toBeUndefined();
    expect(await cgroup.read(id)).toBeUndefined();
  });
});
