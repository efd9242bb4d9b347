import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FolderRemover } from './folder-remover';

describe('FolderRemover (real file system, real rm)', () => {
  let base: string;
  const remover = new FolderRemover();

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'folder-remover-'));
  });

  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it('removes a tree, and never what a link inside it points to', async () => {
    const kept = join(base, 'kept');
    mkdirSync(kept);
    writeFileSync(join(kept, 'precious'), 'x');
    const job = join(base, 'job');
    mkdirSync(join(job, 'a', 'b'), { recursive: true });
    for (let i = 0; i < 100; i++) writeFileSync(join(job, 'a', 'b', `f${i}`), 'data');
    symlinkSync(kept, join(job, 'link-to-kept'));
    await remover.remove(job);
    expect(existsSync(job)).toBe(false);
    expect(existsSync(join(kept, 'precious'))).toBe(true);
  });

  it('a folder already gone is not an error', async () => {
    await expect(remover.remove(join(base, 'missing'))).resolves.toBeUndefined();
  });
});
