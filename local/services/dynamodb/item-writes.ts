import { itemSize, type Item } from './attribute-value';
import { applyUpdate, targetPaths } from './apply-update';
import { project } from './document-path';
import { validationError } from './dynamodb-errors';
import { ExpressionAttributes } from './expression-attributes';
import { evaluateCondition } from './evaluate-condition';
import { parseCondition, parseUpdate } from './expression-parser';
import { optionalEnum, optionalString, refuseLegacyParameters, requiredItem, type Input } from './request-fields';
import type { TableStore } from './table-store';

// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html#limits-items
const MAX_ITEM_BYTES = 400 * 1024;

/** A write worked out against the current state but not applied yet (so a transaction can apply all or none). */
export interface PlannedWrite {
  table: TableStore;
  key: Item;
  /** The item after the write; undefined deletes it. */
  after: Item | undefined;
  /** What ReturnValues asks for. */
  attributes: Item | undefined;
}

/** The item failed ConditionExpression; carries the item for ReturnValuesOnConditionCheckFailure ALL_OLD. */
export class ConditionFailed extends Error {
  constructor(readonly item: Item | undefined) {
    super('The conditional request failed');
  }
}

const LEGACY = ['Expected', 'ConditionalOperator', 'AttributeUpdates', 'AttributesToGet'];

function checkCondition(input: Input, attributes: ExpressionAttributes, before: Item | undefined): void {
  const text = optionalString(input, 'ConditionExpression');
  if (text === undefined) return;
  const condition = parseCondition(text, 'ConditionExpression', attributes);
  attributes.assertAllUsed();
  if (!evaluateCondition(condition, before ?? {}, 'ConditionExpression')) {
    const returnOld = optionalEnum(input, 'ReturnValuesOnConditionCheckFailure', ['ALL_OLD', 'NONE']) === 'ALL_OLD';
    throw new ConditionFailed(returnOld ? before : undefined);
  }
}

function checkSize(item: Item): void {
  if (itemSize(item) > MAX_ITEM_BYTES) throw validationError('Item size has exceeded the maximum allowed size');
}

export function planPut(table: TableStore, input: Input): PlannedWrite {
  refuseLegacyParameters(input, LEGACY);
  const item = requiredItem(input, 'Item');
  table.checkItem(item);
  checkSize(item);
  const returnValues = putOrDeleteReturnValues(input);
  const key = table.keyOf(item);
  const before = table.stored(key);
  const attributes = new ExpressionAttributes(input.ExpressionAttributeNames, input.ExpressionAttributeValues);
  checkCondition(input, attributes, before);
  attributes.assertAllUsed();
  return { table, key, after: item, attributes: returnValues === 'ALL_OLD' ? before : undefined };
}

/** PutItem and DeleteItem accept only NONE and ALL_OLD, as DynamoDB does. */
function putOrDeleteReturnValues(input: Input): 'NONE' | 'ALL_OLD' | undefined {
  const returnValues = optionalEnum(input, 'ReturnValues', [
    'NONE',
    'ALL_OLD',
    'UPDATED_OLD',
    'ALL_NEW',
    'UPDATED_NEW',
  ]);
  if (returnValues !== undefined && returnValues !== 'NONE' && returnValues !== 'ALL_OLD') {
    throw validationError('ReturnValues can only be ALL_OLD or NONE');
  }
  return returnValues;
}

export function planDelete(table: TableStore, input: Input): PlannedWrite {
  refuseLegacyParameters(input, LEGACY);
  const key = table.keyFromRequest(requiredItem(input, 'Key'));
  const returnValues = putOrDeleteReturnValues(input);
  const before = table.stored(key);
  const attributes = new ExpressionAttributes(input.ExpressionAttributeNames, input.ExpressionAttributeValues);
  checkCondition(input, attributes, before);
  attributes.assertAllUsed();
  return { table, key, after: undefined, attributes: returnValues === 'ALL_OLD' ? before : undefined };
}

export function planUpdate(table: TableStore, input: Input): PlannedWrite {
  refuseLegacyParameters(input, LEGACY);
  const key = table.keyFromRequest(requiredItem(input, 'Key'));
  const returnValues =
    optionalEnum(input, 'ReturnValues', ['NONE', 'ALL_OLD', 'UPDATED_OLD', 'ALL_NEW', 'UPDATED_NEW']) ?? 'NONE';
  const attributes = new ExpressionAttributes(input.ExpressionAttributeNames, input.ExpressionAttributeValues);
  // Parse everything first: a bad expression is a ValidationException even when the condition would fail.
  const updateText = optionalString(input, 'UpdateExpression');
  const actions = updateText === undefined ? undefined : parseUpdate(updateText, attributes);
  const paths = actions === undefined ? [] : targetPaths(actions, table.keyAttributes);
  const conditionText = optionalString(input, 'ConditionExpression');
  const condition =
    conditionText === undefined ? undefined : parseCondition(conditionText, 'ConditionExpression', attributes);
  attributes.assertAllUsed();

  const before = table.stored(key);
  if (condition && !evaluateCondition(condition, before ?? {}, 'ConditionExpression')) {
    const returnOld = optionalEnum(input, 'ReturnValuesOnConditionCheckFailure', ['ALL_OLD', 'NONE']) === 'ALL_OLD';
    throw new ConditionFailed(returnOld ? before : undefined);
  }
  // UpdateItem creates the item when it does not exist (with only its key if there is no update expression).
  const base = before ?? structuredClone(key);
  const after = actions === undefined ? structuredClone(base) : applyUpdate(base, actions);
  table.checkItem(after);
  checkSize(after);
  return { table, key, after, attributes: returned(returnValues, before, after, paths) };
}

function returned(
  returnValues: string,
  before: Item | undefined,
  after: Item,
  paths: ReturnType<typeof targetPaths>,
): Item | undefined {
  switch (returnValues) {
    case 'ALL_OLD':
      return before;
    case 'ALL_NEW':
      return after;
    case 'UPDATED_OLD':
      return before === undefined ? undefined : nonEmpty(project(before, paths));
    case 'UPDATED_NEW':
      return nonEmpty(project(after, paths));
    default:
      return undefined;
  }
}

function nonEmpty(item: Item): Item | undefined {
  return Object.keys(item).length === 0 ? undefined : item;
}

/** TransactWriteItems' ConditionCheck: a condition on an item, no write. */
export function checkOnly(table: TableStore, input: Input): Item {
  const key = table.keyFromRequest(requiredItem(input, 'Key'));
  const attributes = new ExpressionAttributes(input.ExpressionAttributeNames, input.ExpressionAttributeValues);
  const text = optionalString(input, 'ConditionExpression');
  if (text === undefined) throw validationError('ConditionCheck requires a ConditionExpression');
  checkCondition(input, attributes, table.stored(key));
  return key;
}

export function applyWrite(write: PlannedWrite): void {
  if (write.after === undefined) write.table.remove(write.key);
  else write.table.put(write.after);
}
