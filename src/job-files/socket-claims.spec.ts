import { linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jobFolderLayout, type JobFolderPaths } from './job-folder-layout';
import { SocketClaims, socketProblem } from './socket-claims';

describe('SocketClaims (real file system, real unix sockets)', () => {
  let scratch: string;
  let paths: JobFolderPaths;
  let host: string;
  const servers: Server[] = [];
  const claims = new SocketClaims();

  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'socket-claims-'));
    paths = jobFolderLayout(join(scratch, 'job'));
    mkdirSync(paths.sockets, { recursive: true });
    mkdirSync(paths.claimedSockets);
    host = join(scratch, 'host');
    mkdirSync(host);
    writeFileSync(join(host, 'marker'), 'x');
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))));
    rmSync(scratch, { recursive: true, force: true });
  });

  async function listenAt(path: string): Promise<void> {
    const server = createServer();
    servers.push(server);
    await new Promise<void>((done) => server.listen(path, done));
  }

  it('a real socket is claimed: a new name in the agent-only folder, the original left for the runtime to unlink', async () => {
    await listenAt(join(paths.sockets, 's1.sock'));
    const claim = await claims.claim(paths, 's1');
    expect(claim.ok).toBe(true);
    const claimed = (claim as { path: string }).path;
    expect(claimed.startsWith(`${paths.claimedSockets}/`)).toBe(true);
    expect(lstatSync(claimed).isSocket()).toBe(true);
    expect(lstatSync(claimed).ino).toBe(lstatSync(join(paths.sockets, 's1.sock')).ino);
  });

  it('released, the same socket can be claimed again (one run_student after another on one socket)', async () => {
    await listenAt(join(paths.sockets, 's1.sock'));
    const first = await claims.claim(paths, 's1');
    await claims.release((first as { path: string }).path);
    expect(readdirSync(paths.claimedSockets)).toEqual([]);
    expect((await claims.claim(paths, 's1')).ok).toBe(true);
    await claims.release(undefined);
  });

  it.each([
    ['a symbolic link to a host folder', (p: string) => symlinkSync(host, p), 'a symbolic link'],
    ['a symbolic link to a host file', (p: string) => symlinkSync(join(host, 'marker'), p), 'a symbolic link'],
    ['a folder', (p: string) => mkdirSync(p), 'a folder'],
    ['a regular file', (p: string) => writeFileSync(p, ''), 'not a socket'],
    ['missing', () => undefined, 'nothing'],
  ])('%s is refused and nothing stays claimed', async (_what, make, found) => {
    make(join(paths.sockets, 'evil.sock'));
    expect(await claims.claim(paths, 'evil')).toEqual({ ok: false, found });
    expect(readdirSync(paths.claimedSockets)).toEqual([]);
    expect(readdirSync(host)).toEqual(['marker']);
  });

  it('a socket with another name the agent does not know is refused', async () => {
    await listenAt(join(paths.sockets, 'a.sock'));
    linkSync(join(paths.sockets, 'a.sock'), join(paths.sockets, 'b.sock'));
    expect(await claims.claim(paths, 'b')).toEqual({ ok: false, found: 'a socket with 3 names' });
  });

  it('a name the file system refuses is refused, not thrown', async () => {
    const claim = await claims.claim(paths, 'nul\0byte');
    expect(claim.ok).toBe(false);
  });
});

describe('socketProblem', () => {
  const stats = (kind: 'socket' | 'link' | 'folder' | 'file', nlink = 2) => ({
    isSocket: () => kind === 'socket',
    isSymbolicLink: () => kind === 'link',
    isDirectory: () => kind === 'folder',
    nlink,
  });
  it('accepts a socket with its own name and the claim, or the claim alone (the original already unlinked)', () => {
    expect(socketProblem(stats('socket', 2))).toBeUndefined();
    expect(socketProblem(stats('socket', 1))).toBeUndefined();
  });
  it('names what it found otherwise', () => {
    expect(socketProblem(stats('link'))).toBe('a symbolic link');
    expect(socketProblem(stats('folder'))).toBe('a folder');
    expect(socketProblem(stats('file'))).toBe('not a socket');
    expect(socketProblem(stats('socket', 3))).toBe('a socket with 3 names');
  });
});
