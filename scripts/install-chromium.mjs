#!/usr/bin/env node
// Installs Debian's Chromium for the browser tests when it is missing. `npx playwright install` cannot download
// browsers on these machines, and Debian's build plays H.264 + AAC in MSE, which is all the players need.
// Idempotent and quick when the binary is present. Exit codes: 0 installed or present, 1 could not install.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

export const CHROMIUM_PATH = '/usr/bin/chromium';

const manualInstruction = 'run as root: apt-get update && apt-get install -y chromium';

function run(command, args) {
  const result = spawnSync(command, args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.error) return { ok: false, reason: result.error.message };
  return { ok: result.status === 0, reason: `${command} ${args.join(' ')} exited with ${result.status}` };
}

/** Returns null when Chromium is (now) at CHROMIUM_PATH, or the reason it is not. */
export function installChromium() {
  if (existsSync(CHROMIUM_PATH)) return null;
  if (process.platform !== 'linux' || !existsSync('/usr/bin/apt-get')) {
    return `Chromium is missing at ${CHROMIUM_PATH} and this is not a Debian-like system: install Chromium there`;
  }
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return `Chromium is missing at ${CHROMIUM_PATH}: ${manualInstruction}`;
  }
  process.stderr.write(`installing Debian's chromium (${CHROMIUM_PATH} is missing)...\n`);
  let attempt = run('apt-get', ['install', '-y', 'chromium']);
  // A fresh container has no package lists yet: refresh them once and retry.
  if (!attempt.ok) {
    const update = run('apt-get', ['update']);
    if (!update.ok) return `${update.reason}; ${manualInstruction}`;
    attempt = run('apt-get', ['install', '-y', 'chromium']);
  }
  if (!attempt.ok) return `${attempt.reason}; ${manualInstruction}`;
  if (!existsSync(CHROMIUM_PATH)) return `apt-get installed chromium but ${CHROMIUM_PATH} does not exist`;
  return null;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const failure = installChromium();
  if (failure) {
    console.error(failure);
    process.exit(1);
  }
  console.log(`chromium is ready at ${CHROMIUM_PATH}`);
}
