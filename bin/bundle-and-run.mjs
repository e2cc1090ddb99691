// Local mode, the CLI and the benchmarks are TypeScript sharing the Lambda functions' code: each entry point is
// bundled by esbuild (the bundler serverless uses for the cloud) into .vodflow/build/ and run. About a second.
import { build } from 'esbuild';
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * Writes a bundle under a name made of its content's hash, through a temporary file of this process and a rename:
 * concurrent runs (several `vodflow` at once) each find either no file or a complete one with exactly this content,
 * never one another process is still writing.
 */
export async function writeContentAddressed(folder, name, contents) {
  const hash = createHash('sha256').update(contents).digest('hex').slice(0, 16);
  const outfile = join(folder, `${name}-${hash}.cjs`);
  if (existsSync(outfile) && readFileSync(outfile).equals(contents)) return outfile;
  await mkdir(folder, { recursive: true });
  const temporary = `${outfile}.${String(process.pid)}.tmp`;
  try {
    await writeFile(temporary, contents);
    await rename(temporary, outfile);
  } finally {
    await rm(temporary, { force: true });
  }
  return outfile;
}

/** Bundles `entry` and runs it with `args` as its command-line arguments. */
export async function bundleAndRun(entry, args) {
  const name = basename(entry, '.ts');
  const result = await build({
    entryPoints: [entry],
    outfile: join(projectRoot, '.vodflow', 'build', `${name}.cjs`),
    write: false,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    logLevel: 'error',
    // Resolved at run time from node_modules: the npm ffmpeg/ffprobe packages locate their binaries by path.
    external: ['@ffmpeg-installer/ffmpeg', '@ffprobe-installer/ffprobe'],
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error(`esbuild wrote no bundle for ${entry}`);
  const outfile = await writeContentAddressed(
    join(projectRoot, '.vodflow', 'build'),
    name,
    Buffer.from(output.contents),
  );
  process.argv = [process.argv[0], outfile, ...args];
  createRequire(import.meta.url)(outfile);
}
