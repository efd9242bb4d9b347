import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TreeRemover } from './tree-remover';

/** Real folders, real processes. */
describe('TreeRemover', () => {
  let scratch: string;
  let host: string;
  let trees: TreeRemover;

  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'tree-remover-'));
    host = join(scratch, 'host');
    mkdirSync(host);
    writeFileSync(join(host, 'marker'), 'host secret');
    trees = new TreeRemover();
  });

  afterEach(() => {
    trees.onModuleDestroy();
    rmSync(scratch, { recursive: true, force: true });
  });

  function folderWithLinks(name: string): string {
    const folder = join(scratch, name);
    mkdirSync(join(folder, 'deep', 'er'), { recursive: true });
    writeFileSync(join(folder, 'deep', 'er', 'file'), 'x');
    symlinkSync(host, join(folder, 'to-folder'));
    symlinkSync(join(host, 'marker'), join(folder, 'deep', 'to-file'));
    return folder;
  }

  it('removes a tree and its links, never what they point to', async () => {
    const folder = folderWithLinks('job');
    await trees.remove(folder);
    expect(existsSync(folder)).toBe(false);
    expect(readFileSync(join(host, 'marker'), 'utf8')).toBe('host secret');
  });

  it('a missing folder is fine; names with spaces, newlines and quotes are taken whole', async () => {
    await trees.remove(join(scratch, 'never-made'));
    const odd = folderWithLinks(`a b\n"c' $(touch ${join(scratch, 'injected')})`);
    await trees.remove(odd);
    expect(existsSync(odd)).toBe(false);
    expect(existsSync(join(scratch, 'injected'))).toBe(false);
  });

  it('many removals at once each settle, in any order', async () => {
    const folders = Array.from({ length: 20 }, (_, i) => folderWithLinks(`job-${i}`));
    await Promise.all(folders.map((folder) => trees.remove(folder)));
    for (const folder of folders) expect(existsSync(folder)).toBe(false);
  });

  it('a removal that fails rejects with rm\'s words', async () => {
    const locked = join(scratch, 'locked');
    mkdirSync(join(locked, 'inner'), { recursive: true });
    writeFileSync(join(locked, 'inner', 'file'), 'x');
    execFileSync('chattr', ['+i', join(locked, 'inner')], { stdio: 'ignore' });
    try {
      await expect(trees.remove(locked)).rejects.toThrow(/rm exited with 1: .*(Operation not permitted|Permission denied)/);
    } finally {
      execFileSync('chattr', ['-i', join(locked, 'inner')], { stdio: 'ignore' });
    }
  });

  it('after its shell is killed, the removal under way rejects and the next one starts a new shell', async () => {
    await trees.remove(folderWithLinks('first'));
    const shellPid = Number(execFileSync('pgrep', ['-P', String(process.pid), '-x', 'bash']).toString().trim());
    process.kill(shellPid, 'SIGSTOP'); // it reads nothing more: the next removal stays under way
    const underWay = trees.remove(folderWithLinks('under-way'));
    process.kill(shellPid, 'SIGKILL');
    await expect(underWay).rejects.toThrow('the removal shell ended');
    const folder = folderWithLinks('after');
    await trees.remove(folder);
    expect(existsSync(folder)).toBe(false);
  });

  function manyFiles(name: string, count: number): string {
    const folder = join(scratch, name);
    mkdirSync(folder);
    for (let i = 0; i < count; i++) writeFileSync(join(folder, `f${i}`), '');
    return folder;
  }

  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('a hold stops a removal that yields where it is and keeps new ones waiting, others go on; the release lets both finish', async () => {
    const big = manyFiles('big', 30_000);
    const removed = trees.remove(big, { yieldMs: 60_000 });
    await pause(20);
    trees.hold();
    await pause(100); // what was in flight when the signal came ends
    const left = readdirSync(big).length;
    const later = folderWithLinks('later');
    const laterRemoved = trees.remove(later, { yieldMs: 60_000 });
    const other = folderWithLinks('other');
    await trees.remove(other); // a removal that does not yield goes on while held
    expect(existsSync(other)).toBe(false);
    await pause(300);
    expect(left).toBeGreaterThan(0);
    expect(readdirSync(big).length).toBe(left);
    expect(existsSync(later)).toBe(true);
    trees.release();
    await Promise.all([removed, laterRemoved]);
    expect(existsSync(big)).toBe(false);
    expect(existsSync(later)).toBe(false);
  });

  it('a removal yields only for the time it was given: a stopped one goes on, a waiting one starts, though still held', async () => {
    const big = manyFiles('big', 30_000);
    const stopped = trees.remove(big, { yieldMs: 400 });
    await pause(20);
    trees.hold();
    const waiting = folderWithLinks('waiting');
    const waited = trees.remove(waiting, { yieldMs: 400 });
    await pause(150);
    expect(existsSync(big)).toBe(true);
    expect(existsSync(waiting)).toBe(true);
    await Promise.all([stopped, waited]);
    expect(existsSync(big)).toBe(false);
    expect(existsSync(waiting)).toBe(false);
  });

  it('a removal stopped mid-walk, whose folders a container swaps for links meanwhile, never follows them', async () => {
    const tree = join(scratch, 'swapped');
    for (let d = 0; d < 20; d++) {
      mkdirSync(join(tree, `d${d}`), { recursive: true });
      for (let i = 0; i < 1500; i++) writeFileSync(join(tree, `d${d}`, `f${i}`), '');
    }
    const removed = trees.remove(tree, { yieldMs: 60_000 });
    await pause(20);
    trees.hold();
    await pause(100);
    let swapped = 0;
    for (let d = 0; d < 20; d++) {
      const folder = join(tree, `d${d}`);
      if (!existsSync(folder)) continue;
      execFileSync('mv', [folder, join(scratch, `moved-d${d}`)]);
      symlinkSync(host, folder);
      swapped++;
    }
    trees.release();
    await removed.catch(() => undefined); // rm may refuse an entry that changed under it; it must never follow it
    expect(swapped).toBeGreaterThan(0);
    expect(readdirSync(host)).toEqual(['marker']);
    expect(readFileSync(join(host, 'marker'), 'utf8')).toBe('host secret');
  });

  it('at shutdown, what was held is let go and finishes', async () => {
    const folder = folderWithLinks('held');
    trees.hold();
    const removed = trees.remove(folder, { yieldMs: 60_000 });
    trees.onModuleDestroy();
    await removed;
    expect(existsSync(folder)).toBe(false);
  });
});

