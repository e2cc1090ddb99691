#!/usr/bin/env node
// Runs one TypeScript entry point of this project (benchmarks, scripts) the way the CLI runs: bundled by esbuild.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node bin/run-ts.mjs <file.ts> [args...]');
  process.exit(2);
}
const root = dirname(dirname(fileURLToPath(import.meta.url)));
const outfile = join(root, '.vodflow', 'build', `${basename(entry, '.ts')}.cjs`);
await build({
  entryPoints: [resolve(entry)],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  logLevel: 'error',
  external: ['@ffmpeg-installer/ffmpeg', '@ffprobe-installer/ffprobe'],
});
process.argv = [process.argv[0], outfile, ...args];
createRequire(import.meta.url)(outfile);
