/**
 * True when the engine runs on this machine, so its containers' cgroups and layers are in our file system (read them
 * directly rather than asking Docker).
 */
export function isLocalEngine(dockerHost: string | undefined): boolean {
  return !dockerHost || dockerHost.startsWith('unix://');
}
