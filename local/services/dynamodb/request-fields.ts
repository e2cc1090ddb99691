import { itemFromRequest, type Item } from './attribute-value';
import { validationError } from './dynamodb-errors';

/** Typed reads of request members, with DynamoDB's message for a member of the wrong type or a missing one. */
export type Input = Record<string, unknown>;

export function requiredString(input: Input, member: string): string {
  const value = input[member];
  if (typeof value !== 'string' || value === '') {
    throw validationError(
      `1 validation error detected: Value null at '${lowerFirst(member)}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

export function optionalString(input: Input, member: string): string | undefined {
  const value = input[member];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw validationError(`${member} must be a string`);
  return value;
}

export function optionalEnum<T extends string>(input: Input, member: string, allowed: readonly T[]): T | undefined {
  const value = input[member];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw validationError(
      `1 validation error detected: Value '${shown(value)}' at '${lowerFirst(member)}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`,
    );
  }
  return value as T;
}

export function optionalPositiveInteger(input: Input, member: string): number | undefined {
  const value = input[member];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw validationError(
      `1 validation error detected: Value '${shown(value)}' at '${lowerFirst(member)}' failed to satisfy constraint: Member must have value greater than or equal to 1`,
    );
  }
  return value;
}

export function requiredItem(input: Input, member: string): Item {
  const value = input[member];
  if (value === undefined) {
    throw validationError(
      `1 validation error detected: Value null at '${lowerFirst(member)}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return itemFromRequest(value);
}

export function optionalItem(input: Input, member: string): Item | undefined {
  return input[member] === undefined ? undefined : itemFromRequest(input[member]);
}

/** The pre-expression parameters (AttributeUpdates, Expected, KeyConditions...) are refused with a clear message. */
export function refuseLegacyParameters(input: Input, members: string[]): void {
  const used = members.find((member) => input[member] !== undefined);
  if (used !== undefined) {
    throw validationError(
      `local DynamoDB does not implement the legacy parameter ${used}; use the expression parameters`,
    );
  }
}

function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
