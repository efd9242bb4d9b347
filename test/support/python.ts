import { spawn } from 'node:child_process';

/** Debian's python3 has msgpack and pyzmq (the pyenv one on PATH does not): an independent peer for wire tests. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

const UNPACK = 'msgpack.unpackb(sys.stdin.buffer.read(), raw=False, strict_map_key=False)';

/** Runs a Python snippet with `input` on stdin; resolves with its stdout bytes, rejects with its stderr. */
export function runPython(code: string, input: Uint8Array = Buffer.alloc(0), timeoutMs = 10_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(SYSTEM_PYTHON, ['-c', code], { stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`python exited ${code}: ${Buffer.concat(err).toString()}`));
    });
    child.stdin.end(input);
  });
}

/** `msgpack.packb(<expression>, use_bin_type=True)`, as the INGInious backend writes. */
export function pythonPack(expression: string): Promise<Buffer> {
  return runPython(`import msgpack, sys\nsys.stdout.buffer.write(msgpack.packb(${expression}, use_bin_type=True))`);
}

/** Decodes as the backend does (`raw=False`) and encodes again (`use_bin_type=True`). */
export function pythonRepack(bytes: Uint8Array): Promise<Buffer> {
  return runPython(`import msgpack, sys\nsys.stdout.buffer.write(msgpack.packb(${UNPACK}, use_bin_type=True))`, bytes);
}

/** Evaluates a Python boolean `expression` over `v`, the value decoded as the backend does. */
export async function pythonCheck(bytes: Uint8Array, expression: string): Promise<boolean> {
  const out = await runPython(`import msgpack, sys\nv = ${UNPACK}\nsys.stdout.write(repr(bool(${expression})))`, bytes);
  return out.toString() === 'True';
}
