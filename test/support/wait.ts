/** Polls `find` every 100 ms until it returns a value other than undefined; fails after `timeoutMs`. */
export async function until<T>(what: string, find: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls `check` every 100 ms until it holds; fails after `timeoutMs`. */
export async function untilTrue(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  await until(what, () => (check() ? true : undefined), timeoutMs);
}
