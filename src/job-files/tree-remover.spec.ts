import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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
});
