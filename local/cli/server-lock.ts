import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServerInfo } from './upload-client';

interface Lock extends ServerInfo {
  pid: number;
}

const lockFile = (dataDir: string) => join(dataDir, 'server.json');

/** The local server serving this data folder, if one is running: CLI commands then talk to it instead. */
export async function runningServer(dataDir: string): Promise<ServerInfo | undefined> {
  const lock = await readFile(lockFile(dataDir), 'utf8')
    .then((text) => JSON.parse(text) as Lock)
    .catch(() => undefined);
  if (!lock) return undefined;
  try {
    process.kill(lock.pid, 0);
    const response = await fetch(`${lock.appUrl}/local/config`, { signal: AbortSignal.timeout(2000) });
    return response.ok ? { appUrl: lock.appUrl, edgeUrl: lock.edgeUrl } : undefined;
  } catch {
    return undefined;
  }
}

export async function writeServerLock(dataDir: string, server: ServerInfo): Promise<void> {
  await writeFile(lockFile(dataDir), JSON.stringify({ ...server, pid: process.pid }));
}

export async function removeServerLock(dataDir: string): Promise<void> {
  await rm(lockFile(dataDir), { force: true });
}
