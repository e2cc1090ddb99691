import { createHash, type Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { s3Errors } from './s3-errors';

/** The flexible checksums S3 verifies on upload (the SDK's `ChecksumAlgorithm`), plus Content-MD5. */
export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'SHA1' | 'SHA256';
export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'SHA1', 'SHA256'];

/** A digest the client announced; the upload fails with `error` unless the received bytes produce it. */
export interface ExpectedDigest {
  /** What to compute over the body. */
  digest: ChecksumAlgorithm | 'MD5';
  expected: Buffer;
  error: () => Error;
}

/** Incremental digest over a stream of chunks. */
export interface RunningDigest {
  update(chunk: Buffer): void;
  result(): Buffer;
}

export function runningDigest(digest: ChecksumAlgorithm | 'MD5'): RunningDigest {
  switch (digest) {
    case 'MD5':
      return fromHash(createHash('md5'));
    case 'SHA1':
      return fromHash(createHash('sha1'));
    case 'SHA256':
      return fromHash(createHash('sha256'));
    case 'CRC32':
      return runningCrc((chunk, value) => crc32(chunk, value));
    case 'CRC32C':
      return runningCrc(crc32c);
  }
}

function fromHash(hash: Hash): RunningDigest {
  return { update: (chunk) => hash.update(chunk), result: () => hash.digest() };
}

function runningCrc(step: (chunk: Buffer, value: number) => number): RunningDigest {
  let value = 0;
  return {
    update: (chunk) => {
      value = step(chunk, value);
    },
    result: () => {
      const out = Buffer.alloc(4);
      out.writeUInt32BE(value >>> 0);
      return out;
    },
  };
}

/** Castagnoli polynomial, reflected; node:zlib only has the IEEE CRC32. */
const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32c(chunk: Buffer, previous = 0): number {
  let crc = ~previous >>> 0;
  for (const byte of chunk) crc = (CRC32C_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return ~crc >>> 0;
}

/** A base64 checksum as announced in `x-amz-checksum-*`, `Content-MD5` or the SDK's `Checksum*` inputs. */
export function expectedBase64Digest(digest: ChecksumAlgorithm | 'MD5', base64: string): ExpectedDigest {
  const expected = Buffer.from(base64, 'base64');
  const length = { MD5: 16, CRC32: 4, CRC32C: 4, SHA1: 20, SHA256: 32 }[digest];
  const label = digest === 'MD5' ? 'Content-MD5' : digest;
  if (expected.length !== length || expected.toString('base64') !== base64) throw s3Errors.invalidDigest(label);
  return { digest, expected, error: () => s3Errors.badDigest(label) };
}
