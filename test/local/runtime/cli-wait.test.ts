import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { ServerUnreachable, waitForFinalStatus } from '../../../local/cli/asset-status';

/** A port nothing listens on: bound, read, closed (connections to it are refused). */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('vodflow publish waiting on a server that went away', () => {
  it('says so with ServerUnreachable after the allowed silent polls, instead of polling for 30 minutes', async () => {
    const port = await closedPort();
    const server = { appUrl: `http://127.0.0.1:${String(port)}`, edgeUrl: `http://127.0.0.1:${String(port)}` };
    const sleeps: number[] = [];

    const waiting = waitForFinalStatus(server, 'token', 'asset-1', () => undefined, {
      maxUnanswered: 3,
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
    });

    await expect(waiting).rejects.toThrow(ServerUnreachable);
    await expect(waiting).rejects.toThrow(/stopped answering.*vodflow status asset-1/);
    expect(sleeps).toEqual([500, 500]);
  });
});
