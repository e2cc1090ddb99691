import { fromRequest, type AttributeValue } from './attribute-value';
import { validationError } from './dynamodb-errors';
import { invalidExpression, type ExpressionKind } from './expression-lexer';

/**
 * ExpressionAttributeNames and ExpressionAttributeValues of one request, with what its expressions used: DynamoDB
 * refuses a placeholder that is not defined and a definition that no expression uses.
 */
export class ExpressionAttributes {
  private readonly names: Record<string, string>;
  private readonly values: Record<string, AttributeValue>;
  private readonly usedNames = new Set<string>();
  private readonly usedValues = new Set<string>();

  constructor(names: unknown, values: unknown) {
    this.names = readNames(names);
    this.values = readValues(values);
  }

  name(placeholder: string, kind: ExpressionKind): string {
    const name = this.names[placeholder];
    if (name === undefined) {
      throw invalidExpression(
        kind,
        `An expression attribute name used in the document path is not defined; attribute name: ${placeholder}`,
      );
    }
    this.usedNames.add(placeholder);
    return name;
  }

  value(placeholder: string, kind: ExpressionKind): AttributeValue {
    const value = this.values[placeholder];
    if (value === undefined) {
      throw invalidExpression(
        kind,
        `An expression attribute value used in expression is not defined; attribute value: ${placeholder}`,
      );
    }
    this.usedValues.add(placeholder);
    return value;
  }

  /** Called once every expression of the request is parsed. */
  assertAllUsed(): void {
    const unusedNames = Object.keys(this.names).filter((key) => !this.usedNames.has(key));
    if (unusedNames.length > 0) {
      throw validationError(
        `Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(', ')}}`,
      );
    }
    const unusedValues = Object.keys(this.values).filter((key) => !this.usedValues.has(key));
    if (unusedValues.length > 0) {
      throw validationError(
        `Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(', ')}}`,
      );
    }
  }
}

function readNames(names: unknown): Record<string, string> {
  if (names === undefined) return {};
  if (typeof names !== 'object' || names === null || Array.isArray(names)) {
    throw validationError('ExpressionAttributeNames must be a map of strings');
  }
  const entries = Object.entries(names as Record<string, unknown>);
  if (entries.length === 0) throw validationError('ExpressionAttributeNames must not be empty');
  for (const [placeholder, name] of entries) {
    if (!placeholder.startsWith('#')) {
      throw validationError(`ExpressionAttributeNames contains invalid key: Syntax error; key: "${placeholder}"`);
    }
    if (typeof name !== 'string' || name === '') {
      throw validationError(
        `ExpressionAttributeNames contains invalid value: Empty attribute name for key ${placeholder}`,
      );
    }
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

function readValues(values: unknown): Record<string, AttributeValue> {
  if (values === undefined) return {};
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw validationError('ExpressionAttributeValues must be a map of attribute values');
  }
  const entries = Object.entries(values as Record<string, unknown>);
  if (entries.length === 0) throw validationError('ExpressionAttributeValues must not be empty');
  return Object.fromEntries(
    entries.map(([placeholder, value]) => {
      if (!placeholder.startsWith(':')) {
        throw validationError(`ExpressionAttributeValues contains invalid key: Syntax error; key: "${placeholder}"`);
      }
      return [placeholder, fromRequest(value)];
    }),
  );
}
