#!/usr/bin/env node
// The vodflow CLI (npx vodflow <command>): local/cli/main.ts, bundled and run.
import { join } from 'node:path';
import { bundleAndRun, projectRoot } from './bundle-and-run.mjs';

await bundleAndRun(join(projectRoot, 'local', 'cli', 'main.ts'), process.argv.slice(2));
