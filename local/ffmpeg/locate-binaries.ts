import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface FfmpegBinaries {
  ffmpeg: string;
  ffprobe: string;
}

/** Neither the environment, the npm packages nor PATH offer a usable binary: local transcoding cannot run. */
export class FfmpegNotFound extends Error {
  override readonly name = 'FfmpegNotFound';
}

type Tool = 'ffmpeg' | 'ffprobe';

const ENV_VARIABLE: Record<Tool, string> = { ffmpeg: 'FFMPEG_PATH', ffprobe: 'FFPROBE_PATH' };
const NPM_SCOPE: Record<Tool, string> = { ffmpeg: '@ffmpeg-installer', ffprobe: '@ffprobe-installer' };

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * The binary the npm installer packages ship (`@ffmpeg-installer/linux-x64/ffmpeg`). Resolved from this module and
 * from the working directory, so it is found from the sources, from jest and from an esbuild bundle alike (the
 * installers' own index.js guesses paths from its __dirname, which a bundle changes).
 */
function npmBinary(tool: Tool): string | undefined {
  const platformPackage = `${NPM_SCOPE[tool]}/${process.platform}-${process.arch}`;
  const binary = process.platform === 'win32' ? `${tool}.exe` : tool;
  const requirers = [createRequire(__filename), createRequire(path.join(process.cwd(), 'package.json'))];
  for (const requirer of requirers) {
    try {
      const file = path.join(path.dirname(requirer.resolve(`${platformPackage}/package.json`)), binary);
      if (isExecutableFile(file)) return file;
    } catch {
      // not installed for this platform, or not reachable from here: try the next place
    }
  }
  return undefined;
}

function onPath(tool: Tool, searchPath: string): string | undefined {
  const binary = process.platform === 'win32' ? `${tool}.exe` : tool;
  return searchPath
    .split(path.delimiter)
    .filter(Boolean)
    .map((folder) => path.join(folder, binary))
    .find(isExecutableFile);
}

function locate(tool: Tool, env: NodeJS.ProcessEnv): string {
  const variable = ENV_VARIABLE[tool];
  const configured = env[variable];
  if (configured) {
    // An explicit choice is never silently replaced by another binary.
    if (!isExecutableFile(configured)) {
      throw new FfmpegNotFound(`${variable}=${configured} is not an executable file`);
    }
    return configured;
  }
  const found = npmBinary(tool) ?? onPath(tool, env.PATH ?? '');
  if (!found) {
    throw new FfmpegNotFound(
      `no ${tool} found: set ${variable}, install the npm package ${NPM_SCOPE[tool]}/${tool} ` +
        `or put ${tool} on PATH (Debian: apt-get install ffmpeg)`,
    );
  }
  return found;
}

/**
 * Finds ffmpeg and ffprobe, in this order: FFMPEG_PATH / FFPROBE_PATH, the npm packages @ffmpeg-installer/ffmpeg and
 * @ffprobe-installer/ffprobe, then `ffmpeg` / `ffprobe` on PATH.
 */
export function locateFfmpegBinaries(env: NodeJS.ProcessEnv = process.env): FfmpegBinaries {
  return { ffmpeg: locate('ffmpeg', env), ffprobe: locate('ffprobe', env) };
}
