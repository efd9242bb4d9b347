import { type ChildProcess, spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { createInterface } from 'node:readline';
import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';

/** Niceness of the removals: a job's clean-up yields the CPU to the jobs still grading (and to the agent's own loop). */
const NICENESS = 10;

/**
 * Reads `id NUL path NUL` pairs; runs one `rm` per pair in the background (idle I/O class where `ionice` exists), each
 * in a process group of its own (`set -m`) that it names at once (`id group <pgid>`) so the agent can stop and continue
 * it, and answers `id status message` on one line when it ends. Once its input ends (the agent is done or gone), it
 * continues whatever is stopped before waiting: no removal is left stopped behind the agent.
 */
const REMOVER_SCRIPT = `
set -m
if command -v ionice >/dev/null 2>&1; then idle() { ionice -c 3 "$@"; }; else idle() { "$@"; }; fi
while IFS= read -r -d '' id && IFS= read -r -d '' path; do
  { message=$(idle rm -rf --one-file-system -- "$path" 2>&1); status=$?; echo "$id $status \${message//$'\\n'/ }"; } &
  echo "$id group $!"
done
kill -CONT $(jobs -p) 2>/dev/null
wait`;

interface Pending {
  resolve(): void;
  reject(error: Error): void;
  /** the process group of its `rm`, once the shell named it */
  group?: number;
  /** held by `hold` (a finished job's folder) until `yieldEnd`; the others never wait */
  yields: boolean;
  yieldEnd?: NodeJS.Timeout;
}

/**
 * Removes folders and everything in them, never following a link — even when a container that failed to be removed
 * still swaps entries meanwhile: GNU rm walks with directory descriptors (openat/unlinkat, O_NOFOLLOW), which Node's
 * fs.rm, walking by path names, does not. A missing folder is fine.
 *
 * The `rm` processes are started by one long-lived shell, itself started while the agent is small: starting a process
 * from the agent directly forks it, which takes the event loop 50–200 ms once the agent holds large frames (measured,
 * issue #13). The shell and its `rm`s run niced, in the idle I/O class. `hold` stops the removals that yield under way
 * (SIGSTOP to their process groups) and keeps new ones waiting until `release`; other removals are never held, and a
 * removal yields only for the time it was given from its request, then runs to its end whatever the holds.
 */
@Injectable()
export class TreeRemover implements OnModuleInit, OnModuleDestroy {
  private shell?: ChildProcess;
  private readonly pending = new Map<string, Pending>();
  private readonly waiting: Array<{ id: string; path: string }> = [];
  private nextId = 0;
  private held = false;

  /** Started with the agent, before it holds anything large. */
  onModuleInit(): void {
    this.shell ??= this.start();
  }

  /** `yieldMs`: for that long from now, the removal is stopped, or waits, while held. */
  remove(path: string, { yieldMs = 0 } = {}): Promise<void> {
    const id = String(this.nextId++);
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = { resolve, reject, yields: yieldMs > 0 };
      if (pending.yields) pending.yieldEnd = setTimeout(() => this.stopYielding(id), yieldMs).unref();
      this.pending.set(id, pending);
      if (this.held && pending.yields) this.waiting.push({ id, path });
      else this.send(id, path);
    });
  }

  /** Stops the removals that yield where they are; later ones wait. */
  hold(): void {
    this.held = true;
    for (const pending of this.pending.values()) if (pending.yields) signal(pending.group, 'SIGSTOP');
  }

  /** Continues the stopped removals and starts those that waited. */
  release(): void {
    this.held = false;
    for (const pending of this.pending.values()) if (pending.yields) signal(pending.group, 'SIGCONT');
    for (const { id, path } of this.waiting.splice(0)) this.send(id, path);
  }

  /** The shell ends once the removals under way are done (those held are let go first). */
  onModuleDestroy(): void {
    this.release();
    this.shell?.stdin?.end();
    this.shell = undefined;
  }

  /** Its time to yield is over: it runs to its end, whatever the holds. */
  private stopYielding(id: string): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    pending.yields = false;
    signal(pending.group, 'SIGCONT');
    const index = this.waiting.findIndex((w) => w.id === id);
    if (index >= 0) this.send(id, this.waiting.splice(index, 1)[0].path);
  }

  private send(id: string, path: string): void {
    const shell = this.shell ?? this.start();
    shell.stdin?.write(`${id}\0${path}\0`);
  }

  /** After the shell is gone (killed), the next removal starts another. */
  private start(): ChildProcess {
    const shell = spawn('bash', ['-c', REMOVER_SCRIPT], { stdio: ['pipe', 'pipe', 'ignore'] });
    this.shell = shell;
    if (shell.pid !== undefined) setPriority(shell.pid, NICENESS);
    shell.stdin?.on('error', () => undefined);
    createInterface({ input: shell.stdout as NodeJS.ReadableStream }).on('line', (line) => this.answered(line));
    shell.once('error', (error) => this.lost(shell, error));
    shell.once('close', () => this.lost(shell, new Error('the removal shell ended')));
    return shell;
  }

  private answered(line: string): void {
    const [id, status, ...message] = line.split(' ');
    const pending = this.pending.get(id);
    if (!pending) return;
    if (status === 'group') {
      pending.group = Number(message[0]);
      if (this.held && pending.yields) signal(pending.group, 'SIGSTOP');
      return;
    }
    this.settled(id);
    if (status === '0') pending.resolve();
    else pending.reject(new Error(`rm exited with ${status}: ${message.join(' ')}`.trim()));
  }

  private lost(shell: ChildProcess, error: Error): void {
    if (this.shell === shell) this.shell = undefined;
    const waitingIds = new Set(this.waiting.map((w) => w.id));
    for (const [id, pending] of [...this.pending]) {
      if (waitingIds.has(id)) continue;
      this.settled(id);
      pending.reject(error);
    }
  }

  private settled(id: string): void {
    clearTimeout(this.pending.get(id)?.yieldEnd);
    this.pending.delete(id);
  }
}

/** A group that already ended is fine. */
function signal(group: number | undefined, name: 'SIGSTOP' | 'SIGCONT'): void {
  if (group === undefined || !(group > 1)) return;
  try {
    process.kill(-group, name);
  } catch {
    // ended meanwhile
  }
}
