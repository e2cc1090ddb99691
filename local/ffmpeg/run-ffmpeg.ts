import { spawn } from 'node:child_process';

/** ffmpeg's progress, read from `-progress pipe:1`: how far into the output it has encoded. */
export interface FfmpegProgress {
  outTimeSeconds: number;
  frame: number;
}

export interface FfmpegRunOptions {
  onProgress?: (progress: FfmpegProgress) => void;
  cwd?: string;
}

/** ffmpeg could not start, exited non-zero or was killed; `stderrTail` holds its last lines for the error message. */
export class FfmpegFailed extends Error {
  override readonly name = 'FfmpegFailed';
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stderrTail: string,
    readonly killed: boolean,
  ) {
    super(message);
  }
}

export interface FfmpegRun {
  readonly pid: number | undefined;
  /** Resolves when ffmpeg exits 0; rejects with FfmpegFailed otherwise. */
  readonly done: Promise<void>;
  /** Stops ffmpeg at once (SIGKILL: a VOD job has nothing worth flushing); `done` then rejects with killed set. */
  kill(): void;
}

const STDERR_KEEP_BYTES = 8192;
const STDERR_TAIL_LINES = 6;

/** The last lines of a stream that ffmpeg may fill with megabytes of warnings: only a bounded tail is kept. */
class TailBuffer {
  private text = '';

  push(chunk: string): void {
    this.text = (this.text + chunk).slice(-STDERR_KEEP_BYTES);
  }

  lines(count = STDERR_TAIL_LINES): string {
    return this.text
      .split(/\r?\n|\r/)
      .map((line) => line.trim())
      .filter(Boolean)
      .slice(-count)
      .join('\n');
  }
}

/** Reads the key=value blocks of `-progress pipe:1`; each block ends with `progress=continue|end`. */
function progressReader(onProgress: (progress: FfmpegProgress) => void): (chunk: string) => void {
  let pending = '';
  let outTimeSeconds = 0;
  let frame = 0;
  return (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const [key, value = ''] = line.trim().split('=', 2);
      if (key === 'out_time_us' || key === 'out_time_ms') {
        // Both are microseconds (out_time_ms is misnamed in ffmpeg); N/A before the first packet.
        const micros = Number(value);
        if (Number.isFinite(micros) && micros >= 0) outTimeSeconds = micros / 1e6;
      } else if (key === 'frame') {
        const frames = Number(value);
        if (Number.isFinite(frames)) frame = frames;
      } else if (key === 'progress') {
        onProgress({ outTimeSeconds, frame });
      }
    }
  };
}

/**
 * Runs one ffmpeg (or ffprobe) command. ffmpeg gets `-hide_banner -nostdin` and, when progress is asked for,
 * `-progress pipe:1 -nostats`, so stdout carries only progress and stderr only diagnostics.
 */
export function runFfmpeg(binary: string, args: readonly string[], options: FfmpegRunOptions = {}): FfmpegRun {
  const progressArgs = options.onProgress ? ['-progress', 'pipe:1', '-nostats'] : [];
  const child = spawn(binary, ['-hide_banner', '-nostdin', ...progressArgs, ...args], {
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr = new TailBuffer();
  let killed = false;
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr.push(chunk);
  });
  child.stdout.setEncoding('utf8');
  const onProgress = options.onProgress;
  if (onProgress) child.stdout.on('data', progressReader(onProgress));
  else child.stdout.resume();

  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (error) => {
      reject(new FfmpegFailed(`cannot run ${binary}: ${error.message}`, null, stderr.lines(), killed));
    });
    child.once('close', (code, signal) => {
      if (code === 0) {
        resolve();
        return;
      }
      const how = code === null ? `was stopped by ${signal ?? 'a signal'}` : `exited with code ${code}`;
      reject(new FfmpegFailed(`ffmpeg ${how}`, code, stderr.lines(), killed));
    });
  });
  return {
    pid: child.pid,
    done,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) {
        killed = true;
        child.kill('SIGKILL');
      }
    },
  };
}

/** Runs ffprobe with `-of json` and returns its parsed output. */
export async function runFfprobeJson(binary: string, args: readonly string[]): Promise<unknown> {
  const child = spawn(binary, ['-hide_banner', '-v', 'error', '-of', 'json', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr = new TailBuffer();
  const stdout: string[] = [];
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => stdout.push(chunk));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr.push(chunk);
  });
  await new Promise<void>((resolve, reject) => {
    child.once('error', (error) => {
      reject(new FfmpegFailed(`cannot run ${binary}: ${error.message}`, null, '', false));
    });
    child.once('close', (code) => {
      if (code === 0) resolve();
      else reject(new FfmpegFailed(`ffprobe exited with code ${String(code)}`, code, stderr.lines(), false));
    });
  });
  try {
    return JSON.parse(stdout.join('')) as unknown;
  } catch {
    throw new FfmpegFailed('ffprobe wrote no JSON', 0, stderr.lines(), false);
  }
}
