#!/usr/bin/env node
// Runs one TypeScript entry point of this project (benchmarks): node bin/run-ts.mjs <file.ts> [args...]
import { resolve } from 'node:path';
import { bundleAndRun } from './bundle-and-run.mjs';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node bin/run-ts.mjs <file.ts> [args...]');
  process.exit(2);
}
await bundleAndRun(resolve(entry), args);
