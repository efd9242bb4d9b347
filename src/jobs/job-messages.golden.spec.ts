import { describe, expect, it } from 'vitest';
import { fixtureBytes, fixtureJson } from '../../test/support/fixtures';
import type { BackendNewJob } from '../backend/backend.messages';
import { DockerStreamDemuxer } from '../container-link/docker-stream-demuxer';
import { decodeMessage, encodeFrame, FrameDecoder } from '../container-link/frame-codec';
import type { GradingEnvironment } from '../environments/grading-environment';
import { decode, encode } from '../msgpack/msgpack.codec';
import type { Runtime } from '../runtimes/runtime.types';
import { gradingContainerBody } from '../container-bodies/grading-container-body';
import { jobFolderLayout } from '../job-files/job-folder-layout';
import { buildJobDone } from './job-outcome';
import { isRejected, validateResultMap } from './result-map';
import { startMessage } from './start-message';

const runc: Runtime = { dockerRuntime: 'io.containerd.runc.v2', envtype: 'docker', runAsRoot: false, sharedKernel: true, gpu: false };

function environment(generation: 3 | 4, imageId: string): GradingEnvironment {
  return { envtype: 'docker', name: 'default', imageId, created: 0, generation, ports: [], advertised: true, runtime: runc };
}

function newJob(file: string): BackendNewJob {
  return decode(fixtureBytes('backend', file)) as BackendNewJob;
}

function resultMessage(capture: string): Record<string, unknown> {
  const messages: Record<string, unknown>[] = [];
  const frames = new FrameDecoder(1 << 20, (raw) => messages.push(decodeMessage(raw)!));
  new DockerStreamDemuxer((p) => frames.push(p), () => {}).push(fixtureBytes('container', capture, 'from-container.bin'));
  return messages.find((m) => m.type === 'result')!;
}

describe('start frame', () => {
  it.each([
    ['gen4-hello', '007-backend-to-agent-BackendNewJob.msgpack'],
    ['gen4-debug', '012-backend-to-agent-BackendNewJob.msgpack'],
    ['gen4-killed', '015-backend-to-agent-BackendNewJob.msgpack'],
  ])('%s: byte-identical to what the real agent wrote', (capture, jobFile) => {
    const job = newJob(jobFile);
    const frame = encodeFrame(startMessage(job, environment(4, 'x'), [runc], ''));
    expect(frame.equals(fixtureBytes('container', capture, 'to-container.bin'))).toBe(true);
  });

  it('generation 3 adds shared_kernel and maps envtypes to the shared-kernel flag', () => {
    const message = startMessage(newJob('007-backend-to-agent-BackendNewJob.msgpack'), environment(3, 'x'), [runc], 'python3 run.py');
    expect(Object.keys(message)).toEqual(['type', 'input', 'debug', 'envtypes', 'run_cmd', 'run_as_root', 'shared_kernel']);
    expect(message.envtypes).toEqual({ docker: true });
  });
});

describe('AgentJobDone', () => {
  it.each([
    ['gen4-hello', '011-agent-to-backend-AgentJobDone.msgpack'],
    ['gen4-debug', '014-agent-to-backend-AgentJobDone.msgpack'],
    ['gen4-runstudent', '027-agent-to-backend-AgentJobDone.msgpack'],
  ])('%s: the container result becomes the very bytes the real agent sent', (capture, doneFile) => {
    const expected = fixtureBytes('backend', doneFile);
    const { job_id } = decode(expected) as { job_id: string };
    const result = validateResultMap(resultMessage(capture).result);
    if (isRejected(result)) throw new Error(result.rejected);
    expect(encode(buildJobDone(job_id, { kind: 'graded', result }, 'ignored', true)).equals(expected)).toBe(true);
  });

  it('killed job: byte-identical, with the input @state', () => {
    const expected = fixtureBytes('backend', '018-agent-to-backend-AgentJobDone.msgpack');
    const { job_id, state } = decode(expected) as { job_id: string; state: string };
    expect(encode(buildJobDone(job_id, { kind: 'killed' }, state, true)).equals(expected)).toBe(true);
  });

  it('crash before any container: same shape as the real agent (nil stdout/stderr), our text', () => {
    const real = decode(fixtureBytes('backend', '021-agent-to-backend-AgentJobDone.msgpack')) as Record<string, unknown>;
    const ours = decode(encode(buildJobDone(real.job_id as string, { kind: 'crash', text: 'T' }, real.state as string, false)));
    expect(ours).toEqual({ ...real, result: ['crash', 'T'] });
  });
});

describe('grading container create body', () => {
  it('matches the real agent for the hello job (paths and SELinux level aside)', () => {
    const real = fixtureJson<{ HostConfig: Record<string, unknown> } & Record<string, unknown>>(
      'container', 'gen4-hello', 'create-request.json',
    );
    const root = '/tmp/fixture-work/run/head/agent_tmp/tmpgyuhy67m';
    const body = gradingContainerBody({
      jobId: 'j1',
      agentId: 'a1',
      environment: environment(4, real.Image as string),
      folder: jobFolderLayout(root),
      memoryMiB: 100,
      network: false,
      publishedPorts: new Map(),
      ideDebugger: false,
      openFilesLimit: 20000,
      pidsLimit: 512,
      cgroupV1: true,
    });
    for (const key of ['Tty', 'OpenStdin', 'StdinOnce', 'AttachStdin', 'AttachStdout', 'AttachStderr', 'Env', 'Image']) {
      expect(body[key as keyof typeof body]).toEqual(real[key]);
    }
    const { SecurityOpt, ...hostConfig } = body.HostConfig;
    const { SecurityOpt: realSecurityOpt, ...realHostConfig } = real.HostConfig;
    // Ours beyond the real agent: what student containers also mount has a mount of its own (docs/security.md).
    expect(hostConfig).toEqual({
      ...realHostConfig,
      PidsLimit: 512,
      Binds: [
        ...(realHostConfig.Binds as string[]),
        `${root}/student:/task/student:Z`,
        `${root}/student-scripts:/task/student/scripts:Z`,
        `${root}/systemfiles:/task/systemfiles:Z`,
      ],
    });
    expect(SecurityOpt?.[0]).toMatch(/^label=level:s0:c\d+,c\d+$/);
    expect(realSecurityOpt).toHaveLength(1);
    expect(body.Labels).toEqual({ 'org.inginious.agent.id': 'a1', 'org.inginious.agent.job': 'j1', 'org.inginious.agent.role': 'grading' });
  });

  it('a warm container (no job yet) differs only by its labels: role warm, no job', () => {
    const plan = {
      agentId: 'a1',
      environment: environment(4, 'sha256:i'),
      folder: jobFolderLayout('/w/r'),
      memoryMiB: 100,
      network: false,
      publishedPorts: new Map<number, number>(),
      ideDebugger: false,
      openFilesLimit: 20000,
      pidsLimit: 512,
      cgroupV1: true,
    };
    const { Labels: warmLabels, HostConfig: warmHost, ...warm } = gradingContainerBody(plan);
    const { Labels: coldLabels, HostConfig: coldHost, ...cold } = gradingContainerBody({ ...plan, jobId: 'j1' });
    expect(warm).toEqual(cold);
    expect({ ...warmHost, SecurityOpt: [] }).toEqual({ ...coldHost, SecurityOpt: [] });
    expect(warmLabels).toEqual({ 'org.inginious.agent.id': 'a1', 'org.inginious.agent.role': 'warm' });
    expect(coldLabels['org.inginious.agent.role']).toBe('grading');
  });
});
