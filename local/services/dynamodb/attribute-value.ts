import { canonicalNumber, compareNumbers } from './decimal-number';
import { LocalServiceError } from '../../seam/local-service';
import { validationError } from './dynamodb-errors';

/**
 * An attribute value as DynamoDB's JSON wire format carries it (binaries base64): what requests bring, what is kept
 * in memory and on disk, and what responses carry. Requests handed over as SDK objects (binaries as Uint8Array) are
 * accepted too.
 */
export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { M: Item }
  | { L: AttributeValue[] }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] };
export type Item = Record<string, AttributeValue>;
export type AttributeType = 'S' | 'N' | 'B' | 'BOOL' | 'NULL' | 'M' | 'L' | 'SS' | 'NS' | 'BS';

export const ATTRIBUTE_TYPES: readonly AttributeType[] = ['S', 'N', 'B', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS'];

export function typeOf(value: AttributeValue): AttributeType {
  return Object.keys(value)[0] as AttributeType;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function binaryToBase64(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'string' && BASE64.test(value)) return value;
  throw new LocalServiceError('SerializationException', 'Base64 encoded length is expected a multiple of 4 bytes');
}

function stringList(value: unknown, type: string): string[] {
  if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'string')) {
    throw validationError(`One or more parameter values were invalid: ${type} must be a list of strings`);
  }
  return value;
}

function checkSet(entries: string[], kind: string, key: (entry: string) => string = (entry) => entry): void {
  if (entries.length === 0)
    throw validationError(`One or more parameter values were invalid: An ${kind} set  may not be empty`);
  if (new Set(entries.map(key)).size !== entries.length) {
    throw validationError(
      `One or more parameter values were invalid: Input collection [${entries.join(', ')}] contains duplicates.`,
    );
  }
}

/** Validates one value of a request and returns it in stored form (numbers canonical, binaries base64). */
export function fromRequest(value: unknown): AttributeValue {
  if (!isRecord(value))
    throw validationError('Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
  const present = Object.entries(value).filter(([, member]) => member !== undefined);
  if (present.length === 0) {
    throw validationError('Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
  }
  if (present.length > 1) {
    throw validationError(
      'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes',
    );
  }
  const [type, member] = present[0] as [string, unknown];
  switch (type) {
    case 'S':
      if (typeof member !== 'string')
        throw validationError('One or more parameter values were invalid: S must be a string');
      return { S: member };
    case 'N':
      if (typeof member !== 'string') throw validationError('A value provided cannot be converted into a number');
      return { N: canonicalNumber(member) };
    case 'B':
      return { B: binaryToBase64(member) };
    case 'BOOL':
      if (typeof member !== 'boolean')
        throw validationError('One or more parameter values were invalid: BOOL must be a boolean');
      return { BOOL: member };
    case 'NULL':
      if (member !== true) {
        throw validationError(
          'One or more parameter values were invalid: Null attribute value types must have the value of true',
        );
      }
      return { NULL: true };
    case 'M':
      if (!isRecord(member)) throw validationError('One or more parameter values were invalid: M must be a map');
      return { M: itemFromRequest(member) };
    case 'L':
      if (!Array.isArray(member)) throw validationError('One or more parameter values were invalid: L must be a list');
      return { L: member.map(fromRequest) };
    case 'SS': {
      const entries = stringList(member, 'SS');
      checkSet(entries, 'string');
      return { SS: entries };
    }
    case 'NS': {
      const entries = stringList(member, 'NS').map(canonicalNumber);
      checkSet(entries, 'number');
      return { NS: entries };
    }
    case 'BS': {
      if (!Array.isArray(member)) throw validationError('One or more parameter values were invalid: BS must be a list');
      const entries = member.map(binaryToBase64);
      checkSet(entries, 'binary');
      return { BS: entries };
    }
    default:
      throw validationError(`Supplied AttributeValue has an unknown datatype: ${type}`);
  }
}

export function itemFromRequest(value: unknown): Item {
  if (!isRecord(value)) throw validationError('One or more parameter values were invalid: an item must be a map');
  const item: Item = {};
  for (const [name, member] of Object.entries(value)) {
    if (member === undefined) continue;
    if (name === '')
      throw validationError('One or more parameter values were invalid: An AttributeName must not be empty');
    item[name] = fromRequest(member);
  }
  return item;
}

/** A stored item as a response carries it: a deep copy, so callers never hold the service's state. */
export function itemToResponse(item: Item): Record<string, unknown> {
  return structuredClone(item);
}

/** Compares scalars of one type as DynamoDB orders them: numbers by value, strings and binaries by bytes. */
export function compareScalars(a: AttributeValue, b: AttributeValue): number | undefined {
  if ('N' in a && 'N' in b) return compareNumbers(a.N, b.N);
  if ('S' in a && 'S' in b) return Buffer.compare(Buffer.from(a.S, 'utf8'), Buffer.from(b.S, 'utf8'));
  if ('B' in a && 'B' in b) return Buffer.compare(Buffer.from(a.B, 'base64'), Buffer.from(b.B, 'base64'));
  return undefined;
}

export function valuesEqual(a: AttributeValue, b: AttributeValue): boolean {
  const type = typeOf(a);
  if (type !== typeOf(b)) return false;
  if ('M' in a && 'M' in b) {
    const keys = Object.keys(a.M);
    return (
      keys.length === Object.keys(b.M).length &&
      keys.every((key) => {
        const left = a.M[key];
        const right = b.M[key];
        return left !== undefined && right !== undefined && valuesEqual(left, right);
      })
    );
  }
  if ('L' in a && 'L' in b) {
    return a.L.length === b.L.length && a.L.every((entry, index) => valuesEqual(entry, b.L[index] as AttributeValue));
  }
  if (('SS' in a && 'SS' in b) || ('NS' in a && 'NS' in b) || ('BS' in a && 'BS' in b)) {
    const left = setEntries(a);
    const right = setEntries(b);
    return left.length === right.length && left.every((entry) => right.includes(entry));
  }
  if ('N' in a && 'N' in b) return compareNumbers(a.N, b.N) === 0;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The members of a set value (numbers are stored canonical, so string equality is value equality). */
export function setEntries(value: AttributeValue): string[] {
  if ('SS' in value) return value.SS;
  if ('NS' in value) return value.NS;
  if ('BS' in value) return value.BS;
  return [];
}

export function isSet(value: AttributeValue): value is { SS: string[] } | { NS: string[] } | { BS: string[] } {
  return 'SS' in value || 'NS' in value || 'BS' in value;
}

export function makeSet(type: 'SS' | 'NS' | 'BS', entries: string[]): AttributeValue {
  if (type === 'SS') return { SS: entries };
  if (type === 'NS') return { NS: entries };
  return { BS: entries };
}

/** DynamoDB's item size accounting (names plus values), close enough to enforce the 400 KB limit. */
export function valueSize(value: AttributeValue): number {
  if ('S' in value) return Buffer.byteLength(value.S, 'utf8');
  if ('N' in value) return Math.ceil(value.N.replace(/[-.]/g, '').length / 2) + 1;
  if ('B' in value) return Buffer.from(value.B, 'base64').length;
  if ('BOOL' in value || 'NULL' in value) return 1;
  if ('M' in value) return 3 + itemSize(value.M);
  if ('L' in value) return 3 + value.L.reduce((sum, entry) => sum + 1 + valueSize(entry), 0);
  if ('SS' in value) return value.SS.reduce((sum, entry) => sum + Buffer.byteLength(entry, 'utf8'), 0);
  if ('NS' in value) return value.NS.reduce((sum, entry) => sum + valueSize({ N: entry }), 0);
  return value.BS.reduce((sum, entry) => sum + Buffer.from(entry, 'base64').length, 0);
}

export function itemSize(item: Item): number {
  return Object.entries(item).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name, 'utf8') + valueSize(value),
    0,
  );
}

export function cloneItem(item: Item): Item {
  return structuredClone(item);
}
