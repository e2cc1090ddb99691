import { addNumbers } from './decimal-number';
import { isSet, makeSet, setEntries, typeOf, type AttributeValue, type Item } from './attribute-value';
import { validationError } from './dynamodb-errors';
import { formatPath, type DocumentPath, type SetValue, type UpdateActions, type UpdateOperand } from './expression-ast';
import { invalidExpression } from './expression-lexer';
import { pathsOverlap, removeValueAt, setValueAt, valueAt } from './document-path';

function wrongType(): Error {
  return validationError('An operand in the update expression has an incorrect data type');
}

function missingAttribute(): Error {
  return validationError('The provided expression refers to an attribute that does not exist in the item');
}

/** Every path an update writes, checked like DynamoDB: no key attribute, no two paths overlapping. */
export function targetPaths(actions: UpdateActions, keyAttributes: string[]): DocumentPath[] {
  const paths = [
    ...actions.set.map((action) => action.path),
    ...actions.remove,
    ...actions.add.map((action) => action.path),
    ...actions.delete.map((action) => action.path),
  ];
  for (const path of paths) {
    const first = path[0];
    if (first && 'name' in first && keyAttributes.includes(first.name)) {
      throw validationError(
        `One or more parameter values were invalid: Cannot update attribute ${first.name}. This attribute is part of the key`,
      );
    }
  }
  paths.forEach((path, index) => {
    const other = paths.slice(index + 1).find((candidate) => pathsOverlap(path, candidate));
    if (other) {
      throw invalidExpression(
        'UpdateExpression',
        `Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [${formatPath(path)}], path two: [${formatPath(other)}]`,
      );
    }
  });
  return paths;
}

function operandValue(item: Item, operand: UpdateOperand): AttributeValue {
  switch (operand.kind) {
    case 'value':
      return operand.value;
    case 'path': {
      const value = valueAt(item, operand.path);
      if (value === undefined) throw missingAttribute();
      return value;
    }
    case 'if_not_exists':
      return valueAt(item, operand.path) ?? operandValue(item, operand.fallback);
    case 'list_append': {
      const first = operandValue(item, operand.first);
      const second = operandValue(item, operand.second);
      if (!('L' in first) || !('L' in second)) throw wrongType();
      return { L: [...first.L, ...second.L] };
    }
  }
}

function setValue(item: Item, value: SetValue): AttributeValue {
  if (value.kind === 'operand') return operandValue(item, value.operand);
  const left = operandValue(item, value.left);
  const right = operandValue(item, value.right);
  if (!('N' in left) || !('N' in right)) throw wrongType();
  return { N: addNumbers(left.N, right.N, value.operator === '+' ? 1 : -1) };
}

function added(current: AttributeValue | undefined, value: AttributeValue): AttributeValue {
  if (!('N' in value) && !isSet(value)) {
    throw invalidExpression(
      'UpdateExpression',
      `Incorrect operand type for operator or function; operator: ADD, operand type: ${typeOf(value)}`,
    );
  }
  if (current === undefined) return structuredClone(value);
  if ('N' in value) {
    if (!('N' in current)) throw wrongType();
    return { N: addNumbers(current.N, value.N) };
  }
  const type = typeOf(value) as 'SS' | 'NS' | 'BS';
  if (typeOf(current) !== type) throw wrongType();
  const entries = setEntries(current);
  return makeSet(type, [...entries, ...setEntries(value).filter((entry) => !entries.includes(entry))]);
}

function deleted(current: AttributeValue | undefined, value: AttributeValue): AttributeValue | undefined {
  if (!isSet(value)) {
    throw invalidExpression(
      'UpdateExpression',
      `Incorrect operand type for operator or function; operator: DELETE, operand type: ${typeOf(value)}`,
    );
  }
  if (current === undefined) return undefined;
  const type = typeOf(value) as 'SS' | 'NS' | 'BS';
  if (typeOf(current) !== type) throw wrongType();
  const removed = setEntries(value);
  const remaining = setEntries(current).filter((entry) => !removed.includes(entry));
  return remaining.length === 0 ? undefined : makeSet(type, remaining);
}

/**
 * The item after an UpdateExpression. Every right-hand side reads the item as it was before the update (as in
 * DynamoDB), then the writes are applied; list elements removed by index go from the highest index down.
 */
export function applyUpdate(before: Item, actions: UpdateActions): Item {
  const after = structuredClone(before);
  const sets = actions.set.map((action) => ({ path: action.path, value: setValue(before, action.value) }));
  const adds = actions.add.map((action) => ({
    path: action.path,
    value: added(valueAt(before, action.path), action.value),
  }));
  const deletes = actions.delete.map((action) => ({
    path: action.path,
    value: deleted(valueAt(before, action.path), action.value),
  }));
  for (const { path, value } of [...sets, ...adds]) setValueAt(after, path, value);
  for (const { path, value } of deletes) {
    if (value === undefined) removeValueAt(after, path);
    else setValueAt(after, path, value);
  }
  const removals = [...actions.remove].sort((a, b) => trailingIndex(b) - trailingIndex(a));
  for (const path of removals) removeValueAt(after, path);
  return after;
}

function trailingIndex(path: DocumentPath): number {
  const last = path[path.length - 1];
  return last && 'index' in last ? last.index : -1;
}
