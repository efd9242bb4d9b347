import { describe, expect, it, vi } from 'vitest';
import type { NetworkInterfaceInfo } from 'node:os';
import type { PinoLogger } from 'nestjs-pino';
import type { BackendSender } from '../backend/backend-sender';
import type { DockerGateway } from '../docker/docker.gateway';
import { JobHooks } from '../jobs/job-hooks';
import type { RunningJob } from '../jobs/running-job';
import { chooseDebugHost, type DebugHost } from './debug-host';
import { SshAnnouncer } from './ssh-announcer';

const ipv4 = (address: string, internal: boolean) => ({ address, family: 'IPv4', internal }) as NetworkInterfaceInfo;

describe('chooseDebugHost', () => {
  it('prefers the configured host', () => {
    expect(chooseDebugHost('grader.example', { eth0: [ipv4('10.0.0.2', false)] })).toEqual({ host: 'grader.example', source: 'configured' });
  });

  it('else the first non-internal IPv4 address', () => {
    const interfaces = { lo: [ipv4('127.0.0.1', true)], eth0: [{ ...ipv4('fe80::1', false), family: 'IPv6' } as NetworkInterfaceInfo, ipv4('10.0.0.2', false)] };
    expect(chooseDebugHost(undefined, interfaces)).toEqual({ host: '10.0.0.2', source: 'interface', interfaceName: 'eth0' });
  });

  it('else loopback', () => {
    expect(chooseDebugHost(undefined, { lo: [ipv4('127.0.0.1', true)] })).toEqual({ host: '127.0.0.1', source: 'loopback' });
  });
});

describe('SshAnnouncer', () => {
  function announcer(port: number | undefined) {
    const send = vi.fn(async () => undefined);
    const hooks = new JobHooks();
    const logger = { info: vi.fn(), warn: vi.fn() } as unknown as PinoLogger;
    const docker = { inspect: vi.fn(async () => ({ ports: port === undefined ? {} : { '22/tcp': port } })) } as unknown as DockerGateway;
    const instance = new SshAnnouncer(logger, { send } as unknown as BackendSender, docker, { host: '10.0.0.2' } as DebugHost, hooks);
    instance.onModuleInit();
    return { instance, send, hooks };
  }
  const job = { id: 'job-1', closing: false } as RunningJob;

  it('sends AgentJobSSHDebug once per job, with the port Docker bound to 22', async () => {
    const { instance, send } = announcer(64121);
    await instance.announce(job, 'c1', { ssh_user: 'worker', ssh_key: 'secret' });
    await instance.announce(job, 'c1', { ssh_user: 'worker', ssh_key: 'again' });
    expect(send).toHaveBeenCalledTimes(1);
    expect(send).toHaveBeenCalledWith({ job_id: 'job-1', host: '10.0.0.2', port: 64121, user: 'worker', password: 'secret', '@type': 'AgentJobSSHDebug' });
  });

  it('sends nothing for a container without port 22 published, or without credentials', async () => {
    const { instance, send } = announcer(undefined);
    await instance.announce(job, 'c1', { ssh_user: 'worker', ssh_key: 'secret' });
    await announcer(64121).instance.announce(job, 'c1', { ssh_user: 'worker' });
    expect(send).not.toHaveBeenCalled();
  });

  it('forgets the job once it closes', async () => {
    const { instance, send, hooks } = announcer(64121);
    await instance.announce(job, 'c1', { ssh_user: 'worker', ssh_key: 'a' });
    await hooks.runClosingHooks(job);
    await instance.announce(job, 'c1', { ssh_user: 'worker', ssh_key: 'b' });
    expect(send).toHaveBeenCalledTimes(2);
  });
});
