import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnAgent, stopAgent } from './agent-child';
import type { SubmittedJob } from './backend-scheduler';
import { EmbeddedBackend, type ReceivedJobDone } from './embedded-backend';
import { textTable } from './text-table';

const REPO = resolve(__dirname, '..', '..');
const COURSE = 'sample';
const JOB_TIMEOUT_MS = 120_000;

const say = (line: string) => process.stdout.write(`${line}\n`);

/**
 * `npm run demo`: the agent's main job end to end. With AGENT_BACKEND_ADDR set it is the agent itself, serving that
 * backend. Without, it starts an embedded backend, runs the agent against it, grades every task of the sample course
 * and prints a table.
 */
async function main(): Promise<void> {
  if (process.env.AGENT_BACKEND_ADDR) {
    say(`AGENT_BACKEND_ADDR is set: starting the agent for the backend at ${process.env.AGENT_BACKEND_ADDR}`);
    require('../main');
    return;
  }
  const backend = await EmbeddedBackend.start();
  const logFile = join(REPO, '.cache', 'demo-agent.log');
  say(`embedded backend on ${backend.address}; agent log: ${logFile}`);
  const agent = spawnAgent(
    {
      AGENT_BACKEND_ADDR: backend.address,
      AGENT_TASKS_DIR: join(REPO, 'tasks'),
      AGENT_TMP_DIR: join(REPO, '.cache', 'demo-work'),
      AGENT_FRIENDLY_NAME: 'demo-agent',
      AGENT_CONCURRENCY: '2',
    },
    logFile,
  );
  agent.once('exit', (code) => code && say(`the agent exited with code ${code}; see ${logFile}`));
  try {
    await withTimeout(backend.whenAgentConnected(), 30_000, 'the agent did not say hello within 30 s');
    say('agent connected; grading the sample course');
    const tasks = readdirSync(join(REPO, 'tasks', COURSE), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    const rows: string[][] = [];
    for (const [index, task] of tasks.entries()) {
      const started = Date.now();
      const done = await withTimeout(backend.submit(demoJob(task)), JOB_TIMEOUT_MS, `no result for ${task}`);
      const seconds = ((Date.now() - started) / 1000).toFixed(2);
      say(`[${index + 1}/${tasks.length}] ${COURSE}/${task}: ${done.result[0]} (${seconds} s)`);
      rows.push([`${COURSE}/${task}`, done.result[0], done.grade.toFixed(2), seconds, oneLine(done)]);
    }
    say('');
    say(textTable(['task', 'result', 'grade', 'seconds', 'feedback'], rows));
  } finally {
    await stopAgent(agent);
    backend.close();
  }
}

function demoJob(task: string): SubmittedJob {
  return {
    job_id: randomUUID(),
    course_id: COURSE,
    task_id: task,
    task_problems: {},
    inputdata: {
      q1: 'echo Hello from the demo ✓',
      upload: { filename: 'hello.txt', value: Buffer.from('an uploaded file\n') },
      '@username': 'demo',
      '@lang': 'en',
      '@state': '',
    },
    environment_type: 'docker',
    environment: 'default',
    environment_parameters: { limits: { time: 30, memory: 100 } },
    debug: false,
  };
}

function oneLine(done: ReceivedJobDone): string {
  const text = done.result[1].replace(/\s+/g, ' ').trim();
  return text.length > 70 ? `${text.slice(0, 67)}...` : text;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms))),
  ]).finally(() => clearTimeout(timer));
}

main().catch((error: Error) => {
  process.stderr.write(`demo failed: ${error.message}\n`);
  process.exit(1);
});
