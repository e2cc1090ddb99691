import { Readable } from 'node:stream';
import { s3Errors } from './s3-errors';
import type { CommandInput } from '../../seam/local-service';

/** Reads the SDK-shaped input of one command; a missing or mistyped member is InvalidArgument, never a guess. */
export class CommandFields {
  constructor(private readonly input: CommandInput) {}

  string(name: string): string {
    const value = this.input[name];
    if (typeof value !== 'string' || value === '') throw s3Errors.invalidArgument(`${name} is required`);
    return value;
  }

  optionalString(name: string): string | undefined {
    const value = this.input[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw s3Errors.invalidArgument(`${name} must be a string`);
    return value;
  }

  integer(name: string): number {
    const value = this.optionalInteger(name);
    if (value === undefined) throw s3Errors.invalidArgument(`${name} is required`);
    return value;
  }

  optionalInteger(name: string): number | undefined {
    const value = this.input[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw s3Errors.invalidArgument(`${name} must be an integer`);
    }
    return value;
  }

  metadata(): Record<string, string> {
    const value = this.input.Metadata;
    if (value === undefined || value === null) return {};
    if (typeof value !== 'object' || Array.isArray(value)) throw s3Errors.invalidArgument('Metadata must be a map');
    const entries = Object.entries(value as Record<string, unknown>).map(([name, item]) => {
      if (typeof item !== 'string') throw s3Errors.invalidArgument(`Metadata ${name} must be a string`);
      // S3 stores user metadata names lower-cased (they travel as x-amz-meta-* headers).
      return [name.toLowerCase(), item] as const;
    });
    return Object.fromEntries(entries);
  }

  /** The Body of PutObject / UploadPart as a stream; none is an empty object, as with S3. */
  body(): Readable {
    const value = this.input.Body;
    if (value === undefined || value === null) return Readable.from([]);
    if (typeof value === 'string') return Readable.from([Buffer.from(value, 'utf8')]);
    if (value instanceof Uint8Array)
      return Readable.from([Buffer.from(value.buffer, value.byteOffset, value.byteLength)]);
    if (value instanceof Readable) return value;
    if (value instanceof Blob) return Readable.fromWeb(value.stream());
    if (value instanceof ReadableStream) return Readable.fromWeb(value);
    throw s3Errors.invalidArgument('Body must be a string, a Uint8Array, a Blob or a readable stream');
  }
}
