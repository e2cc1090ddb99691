/** CLI output: the CLI's whole job is to print, so it writes to the terminal directly. */
export function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function warn(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** A one-line progress bar on stderr (redrawn in place on a terminal, one line per 10% otherwise). */
export function progressBar(label: string): (fraction: number) => void {
  let lastDecile = -1;
  return (fraction) => {
    const clamped = Math.max(0, Math.min(1, fraction));
    const percent = Math.floor(clamped * 100);
    const filled = Math.round(clamped * 30);
    const bar = `${label} [${'#'.repeat(filled)}${' '.repeat(30 - filled)}] ${String(percent).padStart(3)}%`;
    if (process.stderr.isTTY) {
      process.stderr.write(`\r${bar}${clamped >= 1 ? '\n' : ''}`);
    } else if (Math.floor(percent / 10) !== lastDecile) {
      lastDecile = Math.floor(percent / 10);
      process.stderr.write(`${bar}\n`);
    }
  };
}
