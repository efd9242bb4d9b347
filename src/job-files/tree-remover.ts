import { type ChildProcess, spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { createInterface } from 'node:readline';
import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';

/** Niceness of the removals: a job's clean-up yields the CPU to the jobs still grading (and to the agent's own loop). */
const NICENESS = 10;

/**
 * Reads `id NUL path NUL` pairs; runs one `rm` per pair in the background (idle I/O class where `ionice` exists) and
 * answers `id status message` on one line when it ends.
 */
const REMOVER_SCRIPT = `
if command -v ionice >/dev/null 2>&1; then idle() { ionice -c 3 "$@"; }; else idle() { "$@"; }; fi
while IFS= read -r -d '' id && IFS= read -r -d '' path; do
  { message=$(idle rm -rf --one-file-system -- "$path" 2>&1); status=$?; echo "$id $status \${message//$'\\n'/ }"; } &
done
wait`;

interface Pending {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Removes folders and everything in them, never following a link — even when a container that failed to be removed
 * still swaps entries meanwhile: GNU rm walks with directory descriptors (openat/unlinkat, O_NOFOLLOW), which Node's
 * fs.rm, walking by path names, does not. A missing folder is fine.
 *
 * The `rm` processes are started by one long-lived shell, itself started while the agent is small: starting a process
 * from the agent directly forks it, which takes the event loop 50–200 ms once the agent holds large frames (measured,
 * issue #13). The shell and its `rm`s run niced, in the idle I/O class.
 */
@Injectable()
export class TreeRemover implements OnModuleInit, OnModuleDestroy {
  private shell?: ChildProcess;
  private readonly pending = new Map<string, Pending>();
  private nextId = 0;

  /** Started with the agent, before it holds anything large. */
  onModuleInit(): void {
    this.shell ??= this.start();
  }

  remove(path: string): Promise<void> {
    const shell = this.shell ?? this.start();
    const id = String(this.nextId++);
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      shell.stdin?.write(`${id}\0${path}\0`);
    });
  }

  /** The shell ends once the removals under way are done. */
  onModuleDestroy(): void {
    this.shell?.stdin?.end();
    this.shell = undefined;
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
    this.pending.delete(id);
    if (status === '0') pending.resolve();
    else pending.reject(new Error(`rm exited with ${status}: ${message.join(' ')}`.trim()));
  }

  private lost(shell: ChildProcess, error: Error): void {
    if (this.shell === shell) this.shell = undefined;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
