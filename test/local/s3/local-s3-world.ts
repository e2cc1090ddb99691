import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LocalEvent } from '../../../local/seam/local-events';
import { LocalS3, type LocalBucket } from '../../../local/services/s3/local-s3';

export const SOURCE_BUCKET = 'vodflow-local-source';
export const MEDIA_BUCKET = 'vodflow-local-media';
export const VERSIONED_BUCKET = 'vodflow-local-versioned';

export const BUCKETS: LocalBucket[] = [
  { name: SOURCE_BUCKET, eventBridge: true },
  { name: MEDIA_BUCKET },
  { name: VERSIONED_BUCKET, eventBridge: true, versioned: true },
];

/** A local S3 over a fresh data folder, with the events it publishes collected. */
export interface S3World {
  dataDir: string;
  s3: LocalS3;
  events: LocalEvent[];
  /** A new LocalS3 over the same folder, as after a restart of the local stack. */
  restart(): LocalS3;
  dispose(): Promise<void>;
}

export async function createS3World(): Promise<S3World> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'vodflow-s3-'));
  const events: LocalEvent[] = [];
  const open = () => new LocalS3({ dataDir, buckets: BUCKETS, publish: (event) => events.push(event) });
  const world: S3World = {
    dataDir,
    s3: open(),
    events,
    restart: () => {
      world.s3 = open();
      return world.s3;
    },
    dispose: () => rm(dataDir, { recursive: true, force: true }),
  };
  return world;
}

/** The text of a GetObject output, read the way SDK users read it. */
export async function bodyText(output: Record<string, unknown>): Promise<string> {
  const body = output.Body as { transformToString(): Promise<string> };
  return body.transformToString();
}

export function md5Hex(bytes: Uint8Array | string): string {
  return createHash('md5').update(bytes).digest('hex');
}
