import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Ports for a test that must bind the same ports again after closing them (local mode restarted on its data folder,
 * whose playback URLs name the edge's origin). Ports handed out by the kernel for `listen(0)` and outgoing
 * connections come from the ephemeral range, so any other process could take a port of that range between our close
 * and our bind; ports below it are only ever taken by an explicit bind, which no other test does.
 */
export async function stablePorts(count: number): Promise<number[]> {
  const ephemeralStart = readEphemeralRangeStart();
  const low = 20_000;
  const high = Math.max(low + 1000, ephemeralStart) - 1;
  const ports: number[] = [];
  for (let attempt = 0; ports.length < count && attempt < 200; attempt += 1) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (!ports.includes(port) && (await isFree(port))) ports.push(port);
  }
  if (ports.length < count) throw new Error(`no ${String(count)} free ports below ${String(ephemeralStart)}`);
  return ports;
}

function readEphemeralRangeStart(): number {
  try {
    const [start] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    return Number(start) || 32_768;
  } catch {
    return 32_768;
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => {
      resolve(false);
    });
    probe.listen(port, '127.0.0.1', () => {
      probe.close(() => {
        resolve(true);
      });
    });
  });
}
