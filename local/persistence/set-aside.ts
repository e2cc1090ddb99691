import { existsSync, renameSync } from 'node:fs';
import { logger } from '../../functions/commons/logger';

/** The first `<file>.corrupt-<n>` that does not exist yet: earlier set-asides are never overwritten. */
function setAsideName(path: string): string {
  let n = 1;
  while (existsSync(`${path}.corrupt-${String(n)}`)) n += 1;
  return `${path}.corrupt-${String(n)}`;
}

/**
 * Moves a state file local mode cannot read to `<file>.corrupt-<n>` and says so, naming both files: the server
 * starts with everything else, and the bytes stay there for whoever wants to look at them.
 */
export function setAsideCorruptFile(path: string, reason: string, data: Record<string, unknown> = {}): string {
  const setAsideAs = setAsideName(path);
  renameSync(path, setAsideAs);
  logger.warn('corrupt state file set aside', { file: path, setAsideAs, reason, ...data });
  return setAsideAs;
}

export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
