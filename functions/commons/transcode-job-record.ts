import { createHash } from 'node:crypto';
import type { Rendition, TrickplayCaptures } from './types';

/**
 * The item that links a MediaConvert job back to the waiting execution. The task token (up to 2 KB) cannot travel
 * in the job's UserMetadata (256 characters a value), so the job carries only the correlation id.
 */
export interface TranscodeJobRecord {
  correlationId: string;
  taskToken: string;
  assetId: string;
  publishId: string;
  destinationPrefix: string;
  renditions: Rendition[];
  /** The audio language the MP4s carry (ISO 639-2), absent for a silent source. */
  audioLanguage?: string;
  /** The trick-play capture cadence and size the job was built with. */
  trickplay: Omit<TrickplayCaptures, 'lastCapture'>;
  templateVersion: string;
  /** The MediaConvert job, once CreateJob answered: what transcode-watchdog asks GetJob about. */
  jobId?: string;
  /** Epoch seconds; DynamoDB TTL removes records of executions that never heard back. */
  expiresAt: number;
}

/** Deterministic per task token: a retried submit reuses it, so MediaConvert's ClientRequestToken dedupes the job. */
export function correlationIdFor(taskToken: string): string {
  return createHash('sha256').update(taskToken).digest('hex').slice(0, 32);
}
