import type { Readable } from 'node:stream';
import { s3Errors } from '../s3-errors';
import { escapeXml } from './s3-error-response';

/** 10,000 parts of about 100 bytes each, with room to spare: a larger body is not a CompleteMultipartUpload. */
const MAX_COMPLETE_BODY_BYTES = 4 * 1024 * 1024;
const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

export interface CompletedPart {
  PartNumber: number;
  ETag: string;
}

/** Reads a small XML request body, refusing one that is too large before buffering it all. */
export async function readXmlBody(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const bytes = chunk as Buffer;
    size += bytes.length;
    if (size > MAX_COMPLETE_BODY_BYTES) throw s3Errors.malformedXml('The XML you provided was too large');
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The parts of a `<CompleteMultipartUpload>` document, as a browser or the SDK sends it:
 * `<Part><PartNumber>1</PartNumber><ETag>"…"</ETag></Part>…`. Checksum elements per part are ignored.
 */
export function parseCompleteMultipartUpload(xml: string): CompletedPart[] {
  const malformed = () =>
    s3Errors.malformedXml('The XML you provided was not well-formed or did not validate against our published schema');
  const root = /<CompleteMultipartUpload(?:\s[^>]*)?>([\s\S]*)<\/CompleteMultipartUpload>/.exec(xml);
  if (!root) throw malformed();
  const inner = root[1] ?? '';
  const parts = [...inner.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((match) => {
    const content = match[1] ?? '';
    const partNumber = /<PartNumber>\s*(\d{1,5})\s*<\/PartNumber>/.exec(content)?.[1];
    const etag = /<ETag>([^<]*)<\/ETag>/.exec(content)?.[1];
    if (partNumber === undefined || etag === undefined) throw malformed();
    return { PartNumber: Number(partNumber), ETag: unescapeXml(etag.trim()) };
  });
  if (parts.length === 0) throw malformed();
  return parts;
}

export function completeMultipartUploadResult(output: Record<string, unknown>): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUploadResult xmlns="${S3_NAMESPACE}">` +
    field('Location', output.Location) +
    field('Bucket', output.Bucket) +
    field('Key', output.Key) +
    field('ETag', output.ETag) +
    '</CompleteMultipartUploadResult>'
  );
}

export function initiateMultipartUploadResult(output: Record<string, unknown>): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<InitiateMultipartUploadResult xmlns="${S3_NAMESPACE}">` +
    field('Bucket', output.Bucket) +
    field('Key', output.Key) +
    field('UploadId', output.UploadId) +
    '</InitiateMultipartUploadResult>'
  );
}

function field(name: string, value: unknown): string {
  return typeof value === 'string' ? `<${name}>${escapeXml(value)}</${name}>` : '';
}

function unescapeXml(text: string): string {
  const entities: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };
  return text.replace(/&(lt|gt|amp|apos|quot|#\d+|#x[0-9a-fA-F]+);/g, (_, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number(entity.slice(1)));
    return entities[entity] ?? '';
  });
}
