import { createHash } from 'node:crypto';
import { invalidParameterValue } from './sqs-errors';

/** A message attribute as stored (binaries base64, so the queue file is plain JSON). */
export interface StoredAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html (10 attributes) and
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html (names, types)
const MAX_ATTRIBUTES = 10;
const NAME = /^(?!\.)(?!.*\.\.)(?!aws\.|amazon\.)[A-Za-z0-9_\-.]{1,256}(?<!\.)$/i;
const DATA_TYPE = /^(String|Number|Binary)(\.[A-Za-z0-9_\-.]+)?$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates MessageAttributes as SendMessage receives them (SDK form) and converts them to stored form. */
export function readMessageAttributes(input: unknown): Record<string, StoredAttribute> {
  if (input === undefined) return {};
  if (!isRecord(input)) throw invalidParameterValue('MessageAttributes must be a map');
  const entries = Object.entries(input);
  if (entries.length > MAX_ATTRIBUTES) {
    throw invalidParameterValue(
      `Number of message attributes [${String(entries.length)}] exceeds the allowed maximum [10].`,
    );
  }
  const attributes: Record<string, StoredAttribute> = {};
  for (const [name, raw] of entries) {
    if (!NAME.test(name)) throw invalidParameterValue(`Message (user) attribute name '${name}' is invalid.`);
    if (!isRecord(raw) || typeof raw.DataType !== 'string' || raw.DataType === '') {
      throw invalidParameterValue(`The message attribute '${name}' must contain non-empty message attribute type.`);
    }
    if (!DATA_TYPE.test(raw.DataType)) {
      throw invalidParameterValue(
        `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
      );
    }
    const binary = raw.DataType.startsWith('Binary');
    if (binary) {
      const value = raw.BinaryValue;
      if (!(value instanceof Uint8Array) && typeof value !== 'string') {
        throw invalidParameterValue(`The message attribute '${name}' with type 'Binary' must use field 'Binary'.`);
      }
      const bytes = value instanceof Uint8Array ? Buffer.from(value) : Buffer.from(value, 'base64');
      attributes[name] = { DataType: raw.DataType, BinaryValue: bytes.toString('base64') };
    } else {
      const value = raw.StringValue;
      if (typeof value !== 'string' || value === '') {
        throw invalidParameterValue(
          `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${raw.DataType.split('.')[0] ?? ''}'.`,
        );
      }
      if (raw.DataType.startsWith('Number') && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value)) {
        throw invalidParameterValue(`Can't cast the value of message (user) attribute '${name}' to a number.`);
      }
      attributes[name] = { DataType: raw.DataType, StringValue: value };
    }
  }
  return attributes;
}

/** Attributes as ReceiveMessage returns them (SDK form: binaries as bytes). */
export function attributesToResponse(
  attributes: Record<string, StoredAttribute>,
): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, attribute]) => [
      name,
      attribute.BinaryValue === undefined
        ? { DataType: attribute.DataType, StringValue: attribute.StringValue }
        : { DataType: attribute.DataType, BinaryValue: new Uint8Array(Buffer.from(attribute.BinaryValue, 'base64')) },
    ]),
  );
}

export function md5Hex(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

/**
 * MD5OfMessageAttributes as SQS computes it: for each attribute in name order, the name, the data type and the
 * value, each prefixed by its 4-byte big-endian length, with a transport byte (1 string, 2 binary) before the value.
 */
export function md5OfAttributes(attributes: Record<string, StoredAttribute>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  const lengthPrefixed = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  };
  for (const name of names) {
    const attribute = attributes[name] as StoredAttribute;
    lengthPrefixed(Buffer.from(name, 'utf8'));
    lengthPrefixed(Buffer.from(attribute.DataType, 'utf8'));
    if (attribute.BinaryValue === undefined) {
      parts.push(Buffer.from([1]));
      lengthPrefixed(Buffer.from(attribute.StringValue ?? '', 'utf8'));
    } else {
      parts.push(Buffer.from([2]));
      lengthPrefixed(Buffer.from(attribute.BinaryValue, 'base64'));
    }
  }
  return md5Hex(Buffer.concat(parts));
}

/** MessageAttributeNames of ReceiveMessage: `All` or `.*`, exact names, or `prefix.*`. */
export function selectAttributes(
  attributes: Record<string, StoredAttribute>,
  requested: string[],
): Record<string, StoredAttribute> {
  if (requested.some((name) => name === 'All' || name === '.*')) return attributes;
  return Object.fromEntries(
    Object.entries(attributes).filter(([name]) =>
      requested.some((pattern) => (pattern.endsWith('.*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern)),
    ),
  );
}

export function attributesSize(attributes: Record<string, StoredAttribute>): number {
  return Object.entries(attributes).reduce(
    (sum, [name, attribute]) =>
      sum +
      Buffer.byteLength(name) +
      Buffer.byteLength(attribute.DataType) +
      (attribute.BinaryValue === undefined
        ? Buffer.byteLength(attribute.StringValue ?? '')
        : Buffer.from(attribute.BinaryValue, 'base64').length),
    0,
  );
}
