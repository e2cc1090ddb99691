import {
  ATTRIBUTE_TYPES,
  compareScalars,
  setEntries,
  typeOf,
  valuesEqual,
  type AttributeValue,
  type Item,
} from './attribute-value';
import { invalidExpression, type ExpressionKind } from './expression-lexer';
import type { Condition, ConditionFunction, Operand } from './expression-ast';
import { valueAt } from './document-path';

function operandValue(item: Item, operand: Operand): AttributeValue | undefined {
  if (operand.kind === 'value') return operand.value;
  const value = valueAt(item, operand.path);
  if (operand.kind === 'path') return value;
  return value === undefined ? undefined : sizeOf(value);
}

/** size(): characters of a string, bytes of a binary, members of a set, map or list; nothing for other types. */
function sizeOf(value: AttributeValue): AttributeValue | undefined {
  if ('S' in value) return { N: String(value.S.length) };
  if ('B' in value) return { N: String(Buffer.from(value.B, 'base64').length) };
  if ('M' in value) return { N: String(Object.keys(value.M).length) };
  if ('L' in value) return { N: String(value.L.length) };
  const entries = setEntries(value);
  return entries.length > 0 ? { N: String(entries.length) } : undefined;
}

function compare(operator: string, left: AttributeValue | undefined, right: AttributeValue | undefined): boolean {
  if (operator === '<>') return left === undefined || right === undefined || !valuesEqual(left, right);
  if (left === undefined || right === undefined) return false;
  if (operator === '=') return valuesEqual(left, right);
  const order = compareScalars(left, right);
  if (order === undefined) return false;
  if (operator === '<') return order < 0;
  if (operator === '<=') return order <= 0;
  if (operator === '>') return order > 0;
  return order >= 0;
}

/** A literal operand of the wrong type is a request error in DynamoDB, not a false condition. */
function checkLiteral(kind: ExpressionKind, name: ConditionFunction, operand: Operand, allowed: string[]): void {
  if (operand.kind !== 'value') return;
  const type = typeOf(operand.value);
  if (!allowed.includes(type)) {
    throw invalidExpression(
      kind,
      `Incorrect operand type for operator or function; operator or function: ${name}, operand type: ${type}`,
    );
  }
}

function callFunction(kind: ExpressionKind, name: ConditionFunction, args: Operand[], item: Item): boolean {
  const [first, second] = args as [Operand, Operand | undefined];
  switch (name) {
    case 'attribute_exists':
      return operandValue(item, first) !== undefined;
    case 'attribute_not_exists':
      return operandValue(item, first) === undefined;
    case 'attribute_type': {
      const expected = second === undefined ? undefined : operandValue(item, second);
      if (
        second?.kind === 'value' &&
        !(expected && 'S' in expected && (ATTRIBUTE_TYPES as string[]).includes(expected.S))
      ) {
        const shown = expected && 'S' in expected ? expected.S : JSON.stringify(expected);
        throw invalidExpression(
          kind,
          `Invalid attribute type name found; type: ${shown}, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}`,
        );
      }
      const actual = operandValue(item, first);
      return actual !== undefined && expected !== undefined && 'S' in expected && typeOf(actual) === expected.S;
    }
    case 'begins_with': {
      checkLiteral(kind, name, second as Operand, ['S', 'B']);
      const value = operandValue(item, first);
      const prefix = operandValue(item, second as Operand);
      if (value === undefined || prefix === undefined) return false;
      if ('S' in value && 'S' in prefix) return value.S.startsWith(prefix.S);
      if ('B' in value && 'B' in prefix) {
        return Buffer.from(value.B, 'base64')
          .subarray(0, Buffer.from(prefix.B, 'base64').length)
          .equals(Buffer.from(prefix.B, 'base64'));
      }
      return false;
    }
    case 'contains': {
      const haystack = operandValue(item, first);
      const needle = operandValue(item, second as Operand);
      if (haystack === undefined || needle === undefined) return false;
      if ('S' in haystack) return 'S' in needle && haystack.S.includes(needle.S);
      if ('B' in haystack)
        return 'B' in needle && Buffer.from(haystack.B, 'base64').includes(Buffer.from(needle.B, 'base64'));
      if ('L' in haystack) return haystack.L.some((entry) => valuesEqual(entry, needle));
      if ('SS' in haystack) return 'S' in needle && haystack.SS.includes(needle.S);
      if ('NS' in haystack) return 'N' in needle && haystack.NS.some((entry) => valuesEqual({ N: entry }, needle));
      if ('BS' in haystack) return 'B' in needle && haystack.BS.includes(needle.B);
      return false;
    }
  }
}

/** Evaluates a condition against an item (an empty item when there is none): true when the condition holds. */
export function evaluateCondition(condition: Condition, item: Item, kind: ExpressionKind): boolean {
  switch (condition.kind) {
    case 'and':
      return evaluateCondition(condition.left, item, kind) && evaluateCondition(condition.right, item, kind);
    case 'or':
      return evaluateCondition(condition.left, item, kind) || evaluateCondition(condition.right, item, kind);
    case 'not':
      return !evaluateCondition(condition.condition, item, kind);
    case 'compare':
      return compare(condition.operator, operandValue(item, condition.left), operandValue(item, condition.right));
    case 'between': {
      const value = operandValue(item, condition.operand);
      const lower = operandValue(item, condition.lower);
      const upper = operandValue(item, condition.upper);
      if (condition.lower.kind === 'value' && condition.upper.kind === 'value' && lower && upper) {
        const order = compareScalars(lower, upper);
        if (order === undefined || order > 0) {
          throw invalidExpression(
            kind,
            `The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: ${JSON.stringify(lower)}, upper bound operand: AttributeValue: ${JSON.stringify(upper)}`,
          );
        }
      }
      return compare('>=', value, lower) && compare('<=', value, upper);
    }
    case 'in': {
      const value = operandValue(item, condition.operand);
      return condition.candidates.some((candidate) => compare('=', value, operandValue(item, candidate)));
    }
    case 'function':
      return callFunction(kind, condition.name, condition.args, item);
  }
}
