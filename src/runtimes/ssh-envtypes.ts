import type { Runtime } from './runtime.types';

/**
 * With SSH allowed (AGENT_SSH_ALLOWED, `--ssh`), every runtime sharing the host kernel also serves `<envtype>-ssh`
 * (`docker-ssh`, `nvidia-ssh`: what the webapp asks for a task whose environment allows SSH), right after its plain
 * envtype, as the Python agent orders them. An envtype a configured runtime already serves is left to it.
 */
export function withSshEnvtypes(runtimes: readonly Runtime[], sshAllowed: boolean): Runtime[] {
  if (!sshAllowed) return [...runtimes];
  const claimed = new Set(runtimes.map((r) => r.envtype));
  return runtimes.flatMap((runtime) => {
    const envtype = `${runtime.envtype}-ssh`;
    if (!runtime.sharedKernel || runtime.envtype.endsWith('-ssh') || claimed.has(envtype)) return [runtime];
    claimed.add(envtype);
    return [runtime, { ...runtime, envtype }];
  });
}
