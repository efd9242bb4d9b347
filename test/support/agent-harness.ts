import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import { AgentProcess, REPO } from './agent-process';
import { FakeBackend } from './fake-backend';

export interface BackendHarnessOptions {
  /** build the sample grading image first (scripts/build-sample-image.sh); default true */
  sampleImage?: boolean;
  /** further set-up before the backend starts (test images, free ports…) */
  prepare?: () => void | Promise<void>;
  /** clean-up after the agent stopped and the backend closed (test images…) */
  cleanup?: () => void | Promise<void>;
}

export interface AgentHarnessOptions extends BackendHarnessOptions {
  /** environment of the agent (see AgentProcess.start); a function is called after `prepare` */
  env?: Record<string, string> | (() => Record<string, string>);
  /** command-line options of the agent (see AgentProcess.start); a function is called after `prepare` */
  args?: string[] | (() => string[]);
  /** runs in afterAll before the agent is stopped */
  beforeStop?: () => void | Promise<void>;
}

export interface BackendHarness {
  /** The FakeBackend of the describe block (pinging like the real backend); only inside tests and hooks. */
  backend(): FakeBackend;
}

export interface AgentHarness extends BackendHarness {
  /** The built agent of the describe block, connected to `backend()`; only inside tests and hooks. */
  agent(): AgentProcess;
}

/**
 * For the enclosing describe block: registers a beforeAll that builds the sample image, starts a pinging FakeBackend
 * and one built agent connected to it, and an afterAll that stops the agent and closes the backend.
 */
export function agentHarness(options: AgentHarnessOptions = {}): AgentHarness {
  return register(options, true);
}

/** As agentHarness, without an agent: for tests that start (and stop) their own agents on the shared backend. */
export function backendHarness(options: BackendHarnessOptions = {}): BackendHarness {
  return register(options, false);
}

function register(options: AgentHarnessOptions, withAgent: boolean): AgentHarness {
  let backend: FakeBackend | undefined;
  let agent: AgentProcess | undefined;

  beforeAll(async () => {
    if (options.sampleImage ?? true) execFileSync('bash', [`${REPO}/scripts/build-sample-image.sh`], { stdio: 'ignore' });
    await options.prepare?.();
    backend = await FakeBackend.start();
    backend.startPinging();
    if (withAgent) {
      const env = typeof options.env === 'function' ? options.env() : options.env;
      agent = await AgentProcess.start(backend, env, typeof options.args === 'function' ? options.args() : options.args);
    }
  });

  afterAll(async () => {
    await options.beforeStop?.();
    await agent?.stop();
    backend?.close();
    await options.cleanup?.();
  });

  return {
    backend: () => backend ?? notStarted('backend'),
    agent: () => agent ?? notStarted('agent'),
  };
}

function notStarted(what: string): never {
  throw new Error(`the ${what} of this describe block is not started (use it only inside tests and hooks)`);
}
