// Local mode, the CLI and the benchmarks are TypeScript sharing the Lambda functions' code: each entry point is
// bundled by esbuild (the bundler serverless uses for the cloud) into .vodflow/build/ and run. About a second.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = dirname(dirname(fileURLToPath(import.meta.url)));

/** Bundles `entry` and runs it with `args` as its command-line arguments. */
export async function bundleAndRun(entry, args) {
  const outfile = join(projectRoot, '.vodflow', 'build', `${basename(entry, '.ts')}.cjs`);
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    logLevel: 'error',
    // Resolved at run time from node_modules: the npm ffmpeg/ffprobe packages locate their binaries by path.
    external: ['@ffmpeg-installer/ffmpeg', '@ffprobe-installer/ffprobe'],
  });
  process.argv = [process.argv[0], outfile, ...args];
  createRequire(import.meta.url)(outfile);
}
