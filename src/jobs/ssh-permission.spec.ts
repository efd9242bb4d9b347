import { describe, expect, it } from 'vitest';
import { sshDebugRefusal, sshEnvtypeHint, studentSshRefusal } from './ssh-permission';

describe('sshDebugRefusal', () => {
  it('serves SSH debug unless the operator turned it off', () => {
    expect(sshDebugRefusal(true)).toBeUndefined();
    expect(sshDebugRefusal(false)).toMatch(/SSH debug is disabled on this agent \(AGENT_SSH_DEBUG is off\)/);
  });
});

describe('studentSshRefusal', () => {
  it('allows it when the agent allows SSH, the environment type is an SSH one and the job has network', () => {
    expect(studentSshRefusal(true, { envtype: 'docker-ssh', network: true })).toBeUndefined();
    expect(studentSshRefusal(true, { envtype: 'nvidia-ssh', network: true })).toBeUndefined();
  });

  it('names the agent setting when the agent does not allow SSH, whatever the job', () => {
    expect(studentSshRefusal(false, { envtype: 'docker-ssh', network: true })).toMatch(/disabled on this agent \(AGENT_SSH_ALLOWED, --ssh, is off\)/);
  });

  it.each([
    [{ envtype: 'docker', network: true }, 'requires an environment that allows SSH (environment type docker-ssh): enable'],
    [{ envtype: 'docker-ssh', network: false }, 'requires network access: enable'],
    [{ envtype: 'docker', network: false }, 'requires an environment that allows SSH (environment type docker-ssh) and network access'],
  ])('tells the task author what to enable for %j', (job, text) => {
    expect(studentSshRefusal(true, job)).toContain(text);
  });
});

describe('sshEnvtypeHint', () => {
  it('points at the agent setting only for an SSH environment type on an agent that does not allow SSH', () => {
    expect(sshEnvtypeHint('docker-ssh', false)).toContain('AGENT_SSH_ALLOWED, --ssh');
    expect(sshEnvtypeHint('docker-ssh', true)).toBe('');
    expect(sshEnvtypeHint('docker', false)).toBe('');
  });
});
