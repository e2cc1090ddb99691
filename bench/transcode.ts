/**
 * `npm run bench`: what the local MediaConvert costs on this machine, for a generated 60 s 1080p30 source with
 * audio, measured side by side in one run:
 *   1. the local transcode as LocalMediaConvert runs it (the job submit-transcode builds for that source:
 *      ffprobe, one ffmpeg for every MP4 rung (video + audio) + thumbnails + poster, moves into the store);
 *   2. one ffmpeg process per rung, run one after the other;
 *   3. the bare single-process ffmpeg (same rungs, same encoder settings; no poster or trick play).
 * CPU is user+system time of the child processes (the kernel's cutime/cstime of this process, which count every
 * reaped child); peak RSS is sampled every 100 ms over all descendants (the highest sum of their resident sets).
 * Usage: node bench.cjs [--seconds 60] [--width 1920 --height 1080]
 */
import type { ProbeResult } from '@aws-sdk/client-mediaconvert';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { describeSourceMedia } from '../functions/probe-source/describe-source-media';
import { buildJobSettings, loadJobTemplate } from '../functions/submit-transcode/build-job-settings';
import { locateFfmpegBinaries } from '../local/ffmpeg/locate-binaries';
import { runFfmpeg } from '../local/ffmpeg/run-ffmpeg';
import type { LocalEvent } from '../local/seam/local-events';
import {
  audioEncoderArgs,
  outputFrameRate,
  rungFilter,
  videoEncoderArgs,
  type SourceFacts,
} from '../local/services/media-convert/build-ffmpeg-args';
import { LocalMediaConvert } from '../local/services/media-convert';
import { readJobPlan, type Mp4OutputPlan, type TranscodePlan } from '../local/services/media-convert/read-job-plan';
import { generateClip } from '../local/cli/sample-clip';
import { LocalS3 } from '../local/services/s3/local-s3';

interface Measurement {
  label: string;
  wallSeconds: number;
  cpuSeconds: number;
  peakRssBytes: number;
  nodeCpuSeconds: number;
  /** One-minute load average when the measurement started: above the core count, other work competed for CPU. */
  loadBefore: number;
}

const CLOCK_TICKS_PER_SECOND = 100;

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

/** User+system seconds of every child this process has reaped so far (fields 16 and 17 of /proc/self/stat). */
function childrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command name, field 3 is at index 0: cutime (16) and cstime (17) are at 13 and 14.
  return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS_PER_SECOND;
}

function descendantsOf(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(parent, [...(parents.get(parent) ?? []), Number(entry)]);
    } catch {
      // the process ended while the table was read
    }
  }
  const found: number[] = [];
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of parents.get(pid) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function residentBytes(pid: number): { rss: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { rss: kib('VmRSS'), peak: kib('VmHWM') };
  } catch {
    return { rss: 0, peak: 0 };
  }
}

async function measure(label: string, work: () => Promise<void>): Promise<Measurement> {
  let peakRssBytes = 0;
  const sampler = setInterval(() => {
    const samples = descendantsOf(process.pid).map(residentBytes);
    const concurrent = samples.reduce((sum, sample) => sum + sample.rss, 0);
    peakRssBytes = Math.max(peakRssBytes, concurrent, ...samples.map((sample) => sample.peak));
  }, 100);
  const [loadBefore = 0] = loadavg();
  const cpuBefore = childrenCpuSeconds();
  const nodeBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const node = process.cpuUsage(nodeBefore);
  return {
    label,
    wallSeconds,
    cpuSeconds: childrenCpuSeconds() - cpuBefore,
    peakRssBytes,
    nodeCpuSeconds: (node.user + node.system) / 1e6,
    loadBefore,
  };
}

async function runAll(ffmpeg: string, commands: string[][]): Promise<void> {
  for (const args of commands) await runFfmpeg(ffmpeg, ['-loglevel', 'error', '-y', ...args]).done;
}

function mp4Outputs(plan: TranscodePlan): Mp4OutputPlan[] {
  return plan.groups.flat().filter((output): output is Mp4OutputPlan => output.kind === 'mp4');
}

function rungArgs(rung: Mp4OutputPlan, video: string, source: SourceFacts, file: string): string[] {
  return [
    '-map',
    video,
    ...videoEncoderArgs(rung, outputFrameRate(rung, source)),
    ...(rung.audio && source.hasAudio ? ['-map', '0:a:0', ...audioEncoderArgs(rung.audio)] : []),
    '-f',
    'mp4',
    file,
  ];
}

/** One process per rung: each decodes the source and encodes one rung with its audio. */
function perRungCommands(plan: TranscodePlan, source: SourceFacts, sourceFile: string, out: string): string[][] {
  return mp4Outputs(plan).map((rung, index) => [
    '-i',
    sourceFile,
    '-vf',
    rungFilter(rung),
    ...rungArgs(rung, '0:v:0', source, path.join(out, `rung${index}.mp4`)),
  ]);
}

/** One process, decoded once, every rung from a split; the same encoder arguments; plain MP4 outputs. */
function singleProcessCommand(plan: TranscodePlan, source: SourceFacts, sourceFile: string, out: string): string[] {
  const rungs = mp4Outputs(plan);
  const labels = rungs.map((_, index) => `[s${index}]`).join('');
  const filters = [
    `[0:v:0]split=${rungs.length}${labels}`,
    ...rungs.map((rung, index) => `[s${index}]${rungFilter(rung)}[v${index}]`),
  ];
  return [
    '-i',
    sourceFile,
    '-filter_complex',
    filters.join(';'),
    ...rungs.flatMap((rung, index) => rungArgs(rung, `[v${index}]`, source, path.join(out, `single${index}.mp4`))),
  ];
}

const seconds = (value: number): string => `${value.toFixed(1)} s`;
const megabytes = (value: number): string => `${(value / 1024 ** 2).toFixed(0)} MB`;
const ratio = (value: number, base: number): string => `${(value / base).toFixed(2)}x`;

function report(measurements: Measurement[], baseline: Measurement): void {
  const rows = measurements.map((m) => [
    m.label,
    seconds(m.wallSeconds),
    seconds(m.cpuSeconds),
    megabytes(m.peakRssBytes),
    ratio(m.wallSeconds, baseline.wallSeconds),
    ratio(m.cpuSeconds, baseline.cpuSeconds),
    seconds(m.nodeCpuSeconds),
    m.loadBefore.toFixed(2),
  ]);
  const header = ['', 'wall', 'CPU (children)', 'peak RSS', 'wall vs bare', 'CPU vs bare', 'Node CPU', 'load at start'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join('  ');
  process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
}

async function main(): Promise<void> {
  const durationSeconds = option('seconds', 60);
  const width = option('width', 1920);
  const height = option('height', 1080);
  const binaries = locateFfmpegBinaries();
  const folder = await mkdtemp(path.join(tmpdir(), 'vodflow-bench-'));
  // The local S3 of local mode, in the scratch folder: the job reads and writes exactly as `npm start` does.
  const store = new LocalS3({
    dataDir: path.join(folder, 'store'),
    buckets: [{ name: 'bench-source' }, { name: 'bench-media' }],
    publish: () => undefined,
  });
  try {
    process.stdout.write(
      `ffmpeg: ${binaries.ffmpeg}\ngenerating a ${durationSeconds} s ${width}x${height}p30 source with audio...\n`,
    );
    const generated = await generateClip(path.join(folder, 'source.mp4'), { durationSeconds, width, height });
    await store.putFile('bench-source', 'source.mp4', generated, { move: true, contentType: 'video/mp4' });
    const sourceFile = store.filePath('bench-source', 'source.mp4');
    const events: LocalEvent[] = [];
    const mediaConvert = new LocalMediaConvert({
      store,
      publish: (event) => events.push(event),
      workDir: path.join(folder, 'work'),
      binaries: () => binaries,
    });
    const probe = await mediaConvert.handle('Probe', { InputFiles: [{ FileUrl: 's3://bench-source/source.mp4' }] });
    const media = describeSourceMedia((probe.ProbeResults as ProbeResult[])[0], {
      maxDurationSeconds: 4 * 3600,
      maxBytes: 50 * 1024 ** 3,
    });
    const { settings, renditions } = buildJobSettings({
      template: loadJobTemplate(),
      sourceUri: 's3://bench-source/source.mp4',
      destinationPrefix: 's3://bench-media/assets/bench/bench-1/',
      media,
    });
    const plan = readJobPlan(settings);
    const source: SourceFacts = media;
    process.stdout.write(
      `rungs: ${renditions.map((r) => `${r.name} ${r.width}x${r.height}`).join(', ')}; audio: ${media.hasAudio ? 'AAC' : 'none'}\n\n`,
    );

    const local = await measure('1. LocalMediaConvert job', async () => {
      await mediaConvert.handle('CreateJob', { Role: 'arn:aws:iam::000000000000:role/bench', Settings: settings });
      await mediaConvert.idle();
      const last = events[events.length - 1];
      if (last?.detail.status !== 'COMPLETE') throw new Error(`the job ended ${JSON.stringify(last?.detail)}`);
    });
    const perRung = await measure('2. one ffmpeg per rung', () =>
      runAll(binaries.ffmpeg, perRungCommands(plan, source, sourceFile, folder)),
    );
    const bare = await measure('3. bare single ffmpeg', () =>
      runAll(binaries.ffmpeg, [singleProcessCommand(plan, source, sourceFile, folder)]),
    );
    report([local, perRung, bare], bare);
    // Only the first reading tells about other processes: later ones still carry the previous measurement's own
    // ffmpeg load (the load average lags by about a minute).
    if (local.loadBefore > availableParallelism() + 0.5) {
      process.stdout.write('\nwarning: other processes were busy during this run (load above the core count)\n');
    }
    process.stdout.write(
      `\none process per rung vs single process: ${ratio(perRung.wallSeconds, bare.wallSeconds)} wall, ` +
        `${ratio(perRung.cpuSeconds, bare.cpuSeconds)} CPU; LocalMediaConvert overhead over bare: ` +
        `${ratio(local.wallSeconds, bare.wallSeconds)} wall, ${ratio(local.cpuSeconds, bare.cpuSeconds)} CPU\n`,
    );
    await mediaConvert.close();
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
