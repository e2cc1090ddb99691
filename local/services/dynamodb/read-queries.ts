import { itemSize, type Item } from './attribute-value';
import { project } from './document-path';
import { validationError } from './dynamodb-errors';
import type { Condition, DocumentPath, Operand } from './expression-ast';
import { ExpressionAttributes } from './expression-attributes';
import { evaluateCondition } from './evaluate-condition';
import { parseCondition, parseProjection } from './expression-parser';
import {
  optionalEnum,
  optionalItem,
  optionalPositiveInteger,
  optionalString,
  refuseLegacyParameters,
  type Input,
} from './request-fields';
import type { KeyView, TableStore } from './table-store';

/** A Query or Scan stops reading at 1 MB of items, as DynamoDB does, and says where to go on. */
const PAGE_BYTES = 1024 * 1024;
const SELECTS = ['ALL_ATTRIBUTES', 'ALL_PROJECTED_ATTRIBUTES', 'SPECIFIC_ATTRIBUTES', 'COUNT'] as const;

export interface ReadPage {
  items: Item[] | undefined;
  count: number;
  scannedCount: number;
  lastEvaluatedKey: Item | undefined;
}

function readProjection(input: Input, attributes: ExpressionAttributes): DocumentPath[] | undefined {
  const text = optionalString(input, 'ProjectionExpression');
  return text === undefined ? undefined : parseProjection(text, attributes);
}

export function getItem(table: TableStore, input: Input): Item | undefined {
  refuseLegacyParameters(input, ['AttributesToGet']);
  const key = table.keyFromRequest(optionalItem(input, 'Key') ?? {});
  const attributes = new ExpressionAttributes(input.ExpressionAttributeNames, input.ExpressionAttributeValues);
  const projection = readProjection(input, attributes);
  attributes.assertAllUsed();
  const item = table.visible(key);
  if (item === undefined) return undefined;
  return projection === undefined ? item : project(item, projection);
}

/** BatchGetItem's keys of one table, read like GetItem. */
export function getItems(table: TableStore, request: Input): Item[] {
  const keys = request.Keys;
  if (!Array.isArray(keys) || keys.length === 0) throw validationError('The list of keys to get must not be empty');
  const attributes = new ExpressionAttributes(request.ExpressionAttributeNames, undefined);
  const projection = readProjection(request, attributes);
  attributes.assertAllUsed();
  const seen = new Set<string>();
  const items: Item[] = [];
  for (const raw of keys) {
    const key = table.keyFromRequest(optionalItem({ key: raw }, 'key') ?? {});
    const id = table.idOf(key);
    if (seen.has(id)) throw validationError('Provided list of item keys contains duplicates');
    seen.add(id);
    const item = table.visible(key);
    if (item !== undefined) items.push(projection === undefined ? item : project(item, projection));
  }
  return items;
}

/** The attribute side and the value side of one part of a key condition; operators a key condition refuses throw. */
function keyConditionOperands(part: Condition): { subject: Operand | undefined; others: Operand[] } {
  switch (part.kind) {
    case 'compare':
      if (part.operator === '<>') throw validationError('Unsupported operator on KeyConditionExpression: operator: <>');
      return { subject: part.left, others: [part.right] };
    case 'between':
      return { subject: part.operand, others: [part.lower, part.upper] };
    case 'function':
      if (part.name !== 'begins_with')
        throw validationError(`Invalid operator used in KeyConditionExpression: ${part.name}`);
      return { subject: part.args[0], others: part.args.slice(1) };
    default:
      throw validationError(`Invalid operator used in KeyConditionExpression: ${part.kind.toUpperCase()}`);
  }
}

interface KeyCondition {
  partition: Operand;
  sort?: Condition;
}

/** KeyConditionExpression: `pk = :v`, optionally AND one condition on the sort key; nothing else. */
function readKeyCondition(condition: Condition, view: KeyView): KeyCondition {
  const parts: Condition[] = [];
  const flatten = (node: Condition): void => {
    if (node.kind === 'and') {
      flatten(node.left);
      flatten(node.right);
    } else parts.push(node);
  };
  flatten(condition);
  let partition: Operand | undefined;
  let sort: Condition | undefined;
  for (const part of parts) {
    const { subject, others } = keyConditionOperands(part);
    const first = subject?.kind === 'path' && subject.path.length === 1 ? subject.path[0] : undefined;
    const name = first && 'name' in first ? first.name : undefined;
    if (name === undefined || others.some((operand) => operand.kind !== 'value')) {
      throw validationError('Invalid KeyConditionExpression: a key condition compares a key attribute with a value');
    }
    if (name === view.partitionKey && part.kind === 'compare' && part.operator === '=' && partition === undefined) {
      partition = part.right;
    } else if (name === view.sortKey && sort === undefined) {
      sort = part;
    } else if (name === view.partitionKey || name === view.sortKey) {
      throw validationError('Query key condition not supported');
    } else {
      throw validationError(`Query condition missed key schema element: ${view.sortKey ?? view.partitionKey}`);
    }
  }
  if (!partition) throw validationError(`Query condition missed key schema element: ${view.partitionKey}`);
  return { partition, sort };
}

function keyAttributesIn(condition: Condition, keys: string[]): string | undefined {
  const operandKey = (operand: Operand) => {
    if (operand.kind === 'value') return undefined;
    const first = operand.path[0];
    return first && 'name' in first && keys.includes(first.name) ? first.name : undefined;
  };
  switch (condition.kind) {
    case 'and':
    case 'or':
      return keyAttributesIn(condition.left, keys) ?? keyAttributesIn(condition.right, keys);
    case 'not':
      return keyAttributesIn(condition.condition, keys);
    case 'compare':
      return operandKey(condition.left) ?? operandKey(condition.right);
    case 'between':
      return [condition.operand, condition.lower, condition.upper].map(operandKey).find(Boolean);
    case 'in':
      return [condition.operand, ...condition.candidates].map(operandKey).find(Boolean);
    case 'function':
      return condition.args.map(operandKey).find(Boolean);
  }
}

/** Query and Scan share paging: Limit counts items read (before the filter), as in DynamoDB. */
export function readPage(table: TableStore, input: Input, operation: 'Query' | 'Scan'): ReadPage {
  refuseLegacyParameters(input, [
    'KeyConditions',
    'QueryFilter',
    'ScanFilter',
    'ConditionalOperator',
    'AttributesToGet',
  ]);
  const indexName = optionalString(input, 'IndexName');
  const view = table.view(indexName);
  if (indexName !== undefined && input.ConsistentRead === true) {
    throw validationError('Consistent reads are not supported on global secondary indexes');
  }
  const limit = optionalPositiveInteger(input, 'Limit');
  const select = optionalEnum(input, 'Select', SELECTS);
  const attributes = new ExpressionAttributes(input.ExpressionAttributeNames, input.ExpressionAttributeValues);

  let keyCondition: KeyCondition | undefined;
  let keyConditionAst: Condition | undefined;
  if (operation === 'Query') {
    const text = optionalString(input, 'KeyConditionExpression');
    if (text === undefined)
      throw validationError(
        'Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.',
      );
    keyConditionAst = parseCondition(text, 'KeyConditionExpression', attributes);
    keyCondition = readKeyCondition(keyConditionAst, view);
  }
  const filterText = optionalString(input, 'FilterExpression');
  const filter = filterText === undefined ? undefined : parseCondition(filterText, 'FilterExpression', attributes);
  if (filter && operation === 'Query') {
    const keyNames = [view.partitionKey, ...(view.sortKey === undefined ? [] : [view.sortKey])];
    const keyName = keyAttributesIn(filter, keyNames);
    if (keyName !== undefined) {
      throw validationError(
        `Filter Expression can only contain non-primary key attributes: Primary key attribute: ${keyName}`,
      );
    }
  }
  const projection = readProjection(input, attributes);
  attributes.assertAllUsed();
  if (projection && select !== undefined && select !== 'SPECIFIC_ATTRIBUTES') {
    throw validationError(`Cannot specify the ProjectionExpression when choosing to get ${select}`);
  }
  if (select === 'ALL_PROJECTED_ATTRIBUTES' && indexName === undefined) {
    throw validationError('ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName');
  }

  let candidates = table.readable(view);
  if (keyCondition && keyConditionAst) {
    const partition = keyCondition.partition;
    const sort = keyCondition.sort;
    candidates = candidates.filter(
      (item) =>
        evaluateCondition(
          {
            kind: 'compare',
            operator: '=',
            left: { kind: 'path', path: [{ name: view.partitionKey }] },
            right: partition,
          },
          item,
          'KeyConditionExpression',
        ) &&
        (sort === undefined || evaluateCondition(sort, item, 'KeyConditionExpression')),
    );
  }
  const forward = operation === 'Scan' || input.ScanIndexForward !== false;
  if (!forward) candidates.reverse();

  const startKey = optionalItem(input, 'ExclusiveStartKey');
  if (startKey !== undefined) {
    table.checkStartKey(view, startKey);
    candidates = candidates.filter((item) => {
      const order = table.compareInView(view, item, startKey);
      return forward ? order > 0 : order < 0;
    });
  }

  const matched: Item[] = [];
  let scannedCount = 0;
  let bytes = 0;
  let lastEvaluatedKey: Item | undefined;
  for (const item of candidates) {
    scannedCount += 1;
    bytes += itemSize(item);
    if (!filter || evaluateCondition(filter, item, 'FilterExpression')) {
      matched.push(projection === undefined ? item : project(item, projection));
    }
    if ((limit !== undefined && scannedCount >= limit) || bytes >= PAGE_BYTES) {
      // DynamoDB does not look ahead: stopping at the limit always hands back where it stopped.
      lastEvaluatedKey = table.positionKey(view, item);
      break;
    }
  }
  return {
    items: select === 'COUNT' ? undefined : matched,
    count: matched.length,
    scannedCount,
    lastEvaluatedKey,
  };
}
