import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Writes JSON through a temp file and a rename: a reader sees the old or the new document, never half of one. */
export async function writeJsonAtomically(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${randomUUID()}.tmp`;
  try {
    await writeFile(temp, JSON.stringify(value), { flag: 'wx' });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Removes the now-empty folders between a deleted file and `root`, so a later key can use the name as a file. */
export async function pruneEmptyFolders(file: string, root: string): Promise<void> {
  let dir = path.dirname(file);
  while (dir.startsWith(root + path.sep)) {
    try {
      await rmdir(dir);
    } catch {
      return; // not empty (or already gone): stop climbing
    }
    dir = path.dirname(dir);
  }
}
