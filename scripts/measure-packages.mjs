#!/usr/bin/env node
// Prints each function's deployment package: zip size, bundled JavaScript size, and the cold `require` time of its
// handler in a fresh Node process (the part of a Lambda cold start that the bundle decides). Packages the stack first
// unless `--no-package` is given and .serverless/ already holds the zips. A benchmark: it measures and prints.
//
//   npm run bench:packages            (median of 5 cold requires per function)
//   npm run bench:packages -- --no-package --runs 9
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
const packageDir = '.serverless';

if (!args.includes('--no-package') || !existsSync(packageDir)) {
  const packaged = spawnSync('npx', ['serverless', 'package', '--stage', 'dev', '--region', 'us-east-1'], {
    stdio: 'inherit',
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' },
  });
  if (packaged.status !== 0) process.exit(packaged.status ?? 1);
}

const template = JSON.parse(readFileSync(join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8'));
const functions = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Function');

/** The function's environment with every CloudFormation reference replaced by a plausible literal. */
function environmentOf(fn) {
  const variables = fn.Properties.Environment?.Variables ?? {};
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [name, typeof value === 'string' ? value : placeholder(name)]),
  );
}

function placeholder(name) {
  if (name.endsWith('URL')) return 'https://placeholder.example/';
  if (name.endsWith('ORIGINS')) return 'https://placeholder.example';
  if (name.endsWith('ARN')) return 'arn:aws:iam::000000000000:role/placeholder';
  if (name.endsWith('DOMAIN')) return 'placeholder.example';
  return `placeholder-${name.toLowerCase()}`;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const rows = [];
for (const fn of functions) {
  const zipName = fn.Properties.Code.S3Key.split('/').pop();
  const zipPath = join(packageDir, zipName);
  const [file, exported] = fn.Properties.Handler.split(/\.(?=[^.]+$)/);
  const work = mkdtempSync(join(tmpdir(), 'vodflow-package-'));
  try {
    spawnSync('unzip', ['-q', zipPath, '-d', work], { stdio: 'inherit' });
    const jsBytes = readdirSync(work, { recursive: true })
      .filter((name) => String(name).endsWith('.js'))
      .reduce((sum, name) => sum + statSync(join(work, String(name))).size, 0);
    const probe =
      `const t=process.hrtime.bigint();const m=require(${JSON.stringify(join(work, `${file}.js`))});` +
      `if(typeof m[${JSON.stringify(exported)}]!=='function')throw new Error('no handler');` +
      `process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
    const times = [];
    for (let run = 0; run < runs; run += 1) {
      const result = spawnSync(process.execPath, ['-e', probe], {
        env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', ...environmentOf(fn) },
        encoding: 'utf8',
      });
      if (result.status !== 0) throw new Error(`${zipName}: require failed\n${result.stderr}`);
      times.push(Number(result.stdout));
    }
    rows.push({ zipName, zipBytes: statSync(zipPath).size, jsBytes, requireMs: median(times) });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

console.log(`\n${'function package'.padEnd(28)} ${'zip'.padStart(10)} ${'JS'.padStart(10)} ${'require'.padStart(10)}`);
for (const row of rows.sort((a, b) => a.zipName.localeCompare(b.zipName))) {
  console.log(
    `${row.zipName.padEnd(28)} ${`${(row.zipBytes / 1024).toFixed(0)} KB`.padStart(10)} ` +
      `${`${(row.jsBytes / 1024).toFixed(0)} KB`.padStart(10)} ${`${row.requireMs.toFixed(0)} ms`.padStart(10)}`,
  );
}
console.log(`(cold require: median of ${runs} fresh Node ${process.version} processes on this machine)`);
