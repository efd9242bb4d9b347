import { describe, expect, it } from 'vitest';
import { fixtureJson } from '../../test/support/fixtures';
import type { GradingEnvironment } from '../environments/grading-environment';
import { jobFolderLayout } from '../job-files/job-folder-layout';
import { studentContainerBody, type StudentContainerPlan } from './student-container-body';

const root = '/tmp/fixture-work/run/head/agent_tmp/tmp2f37zwjb';
const folder = jobFolderLayout(root);
const runtime = { dockerRuntime: 'io.containerd.runc.v2', envtype: 'docker', runAsRoot: false, sharedKernel: true, gpu: false };
const environment: GradingEnvironment = {
  envtype: 'docker', name: 'default', imageId: 'sha256:01aebc64ed19069d4e47f03387e3c9ba6a1153b4e8e2752b00aa7732efa0c846', created: 0, generation: 4, ports: [], advertised: true, runtime,
};

function plan(overrides: Partial<StudentContainerPlan> = {}): StudentContainerPlan {
  return {
    jobId: 'job-1', agentId: 'agent-1', environment, runtime, parentEnvtype: 'docker', folder,
    socketPath: `${root}/sockets/pnc39yzr7.sock`, memoryMiB: 100, network: { kind: 'none' }, openFilesLimit: 20000,
    pidsLimit: 512, cgroupV1: true, securityOpt: ['label=level:s0:c715,c796'], ...overrides,
  };
}

describe('studentContainerBody', () => {
  it('generation 4: what the real agent asked Docker for (fixture), plus our labels and the pids limit', () => {
    const real = fixtureJson<Record<string, any>>('container', 'gen4-runstudent', 'student-create-request.json');
    const body = studentContainerBody(plan());
    expect(body.Labels).toEqual({ 'org.inginious.agent.id': 'agent-1', 'org.inginious.agent.job': 'job-1', 'org.inginious.agent.role': 'student' });
    for (const key of ['Image', 'Cmd', 'Tty', 'OpenStdin', 'StdinOnce', 'AttachStdin', 'AttachStdout', 'AttachStderr']) {
      expect((body as unknown as Record<string, unknown>)[key]).toEqual(real[key]);
    }
    const { PidsLimit, ...hostConfig } = body.HostConfig;
    expect(PidsLimit).toBe(512);
    // the same mounts, from the agent-owned folders of our layout (docs/security.md)
    const ourSources = (binds: string[]) =>
      binds.map((bind) => bind.replace(`${root}/task/student/scripts:`, `${root}/student-scripts:`).replace(`${root}/task/`, `${root}/`));
    expect(hostConfig).toEqual({ ...real.HostConfig, Binds: ourSources(real.HostConfig.Binds) });
  });

  it('generation 3: the runtime and the parent\'s type as arguments, rw/ro binds, no SELinux options', () => {
    const body = studentContainerBody(plan({ environment: { ...environment, generation: 3 }, runtime: { ...runtime, dockerRuntime: 'runc' }, parentEnvtype: 'kata' }));
    expect(body.Cmd).toEqual(['_run_student_intern', 'runc', 'kata']);
    expect(body.HostConfig.Binds).toEqual([
      `${root}/student:/task/student:rw`,
      `${root}/student-scripts:/task/student/scripts:rw`,
      `${root}/sockets/pnc39yzr7.sock:/__parent.sock:rw`,
      `${root}/systemfiles:/task/systemfiles:ro`,
      `${root}/course/common/student:/course/common/student:ro`,
    ]);
    expect(body.HostConfig.SecurityOpt).toBeUndefined();
  });

  it('relayed (no socket path): no /__parent.sock mount', () => {
    const binds = studentContainerBody(plan({ socketPath: undefined })).HostConfig.Binds ?? [];
    expect(binds.some((bind) => bind.includes('/__parent.sock'))).toBe(false);
    expect(binds).toHaveLength(4);
  });

  it('networks: the parent\'s namespace, or a bridge publishing port 22 for SSH', () => {
    expect(studentContainerBody(plan({ network: { kind: 'parent', parentContainerId: 'abc' } })).HostConfig.NetworkMode).toBe('container:abc');
    const ssh = studentContainerBody(plan({ network: { kind: 'bridge', sshHostPort: 64120 } }));
    expect(ssh.HostConfig.NetworkMode).toBe('bridge');
    expect(ssh.ExposedPorts).toEqual({ '22/tcp': {} });
    expect(ssh.HostConfig.PortBindings).toEqual({ '22/tcp': [{ HostPort: '64120' }] });
  });

  it('cgroup v2: no swappiness nor OOM-killer switch', () => {
    const { HostConfig } = studentContainerBody(plan({ cgroupV1: false }));
    expect(HostConfig.MemorySwappiness).toBeUndefined();
    expect(HostConfig.OomKillDisable).toBeUndefined();
  });
});
