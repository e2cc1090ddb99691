#!/usr/bin/env node
// The vodflow CLI. Local mode is TypeScript (the same code as the Lambda functions): bundle it with esbuild, the
// same bundler serverless uses for the cloud, into .vodflow/build/ and run the bundle. Takes about a second.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const outfile = join(root, '.vodflow', 'build', 'vodflow-cli.cjs');
await build({
  entryPoints: [join(root, 'local', 'cli', 'main.ts')],
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
createRequire(import.meta.url)(outfile);
