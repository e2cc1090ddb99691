import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The vodflow checkout this code runs from, whether from source (jest) or from the CLI's bundle in .vodflow/. */
function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'vodflow') {
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`cannot find the vodflow project above ${start}`);
  }
}

export const PROJECT_ROOT = findProjectRoot(__dirname);
