import {
  unsupportedCommand,
  LocalServiceError,
  type CommandInput,
  type CommandOutput,
  type LocalService,
} from '../../seam/local-service';
import { itemFromRequest, itemToResponse, type Item } from './attribute-value';
import { resourceNotFound, validationError } from './dynamodb-errors';
import { getItem, getItems, readPage } from './read-queries';
import {
  applyWrite,
  checkOnly,
  ConditionFailed,
  planDelete,
  planPut,
  planUpdate,
  type PlannedWrite,
} from './item-writes';
import { requiredString, type Input } from './request-fields';
import { TableStore, type TableDefinition } from './table-store';

export type { TableDefinition, IndexDefinition } from './table-store';

export interface LocalDynamoDbOptions {
  dataDir: string;
  tables: TableDefinition[];
}

// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html#limits-api (BatchGetItem 100 keys,
// BatchWriteItem 25 requests, TransactWriteItems 100 actions)
const MAX_BATCH_GET_KEYS = 100;
const MAX_BATCH_WRITES = 25;
const MAX_TRANSACTION_ITEMS = 100;

function isInput(value: unknown): value is Input {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function conditionalCheckFailed(failure: ConditionFailed): LocalServiceError {
  const error = new LocalServiceError('ConditionalCheckFailedException', 'The conditional request failed');
  // The SDK's ConditionalCheckFailedException carries the item when ReturnValuesOnConditionCheckFailure is ALL_OLD.
  return failure.item === undefined ? error : Object.assign(error, { Item: itemToResponse(failure.item) });
}

/**
 * Local DynamoDB: the tables of the stack, with DynamoDB's expression language (conditions, updates, projections,
 * key conditions), its error names and messages, global secondary indexes and TTL. Every call runs to completion
 * against the in-memory state before the next one starts (one process, no awaits in between), then the changed
 * tables are saved under `<dataDir>/dynamodb/`.
 */
export class LocalDynamoDb implements LocalService {
  readonly service = 'DynamoDB' as const;
  private readonly tables = new Map<string, TableStore>();

  constructor(options: LocalDynamoDbOptions) {
    for (const definition of options.tables)
      this.tables.set(definition.name, new TableStore(definition, options.dataDir));
  }

  async handle(command: string, input: CommandInput): Promise<CommandOutput> {
    switch (command) {
      case 'GetItem': {
        const item = getItem(this.table(input), input);
        return item === undefined ? {} : { Item: itemToResponse(item) };
      }
      case 'PutItem':
        return this.write(() => planPut(this.table(input), input));
      case 'UpdateItem':
        return this.write(() => planUpdate(this.table(input), input));
      case 'DeleteItem':
        return this.write(() => planDelete(this.table(input), input));
      case 'Query':
      case 'Scan':
        return this.read(command, input);
      case 'BatchGetItem':
        return this.batchGet(input);
      case 'BatchWriteItem':
        return this.batchWrite(input);
      case 'TransactWriteItems':
        return this.transactWrite(input);
      default:
        throw unsupportedCommand(this.service, command);
    }
  }

  private table(input: Input): TableStore {
    const table = this.tables.get(requiredString(input, 'TableName'));
    if (!table) throw resourceNotFound();
    return table;
  }

  private async write(plan: () => PlannedWrite): Promise<CommandOutput> {
    let planned: PlannedWrite;
    try {
      planned = plan();
    } catch (error) {
      if (error instanceof ConditionFailed) throw conditionalCheckFailed(error);
      throw error;
    }
    applyWrite(planned);
    await planned.table.save();
    return planned.attributes === undefined ? {} : { Attributes: itemToResponse(planned.attributes) };
  }

  private read(command: 'Query' | 'Scan', input: Input): CommandOutput {
    const page = readPage(this.table(input), input, command);
    return {
      ...(page.items === undefined ? {} : { Items: page.items.map(itemToResponse) }),
      Count: page.count,
      ScannedCount: page.scannedCount,
      ...(page.lastEvaluatedKey === undefined ? {} : { LastEvaluatedKey: itemToResponse(page.lastEvaluatedKey) }),
    };
  }

  private batchGet(input: Input): CommandOutput {
    const requests = input.RequestItems;
    if (!isInput(requests) || Object.keys(requests).length === 0) {
      throw validationError(
        "1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must not be null",
      );
    }
    const keyCount = Object.values(requests).reduce<number>(
      (sum, request) => sum + (isInput(request) && Array.isArray(request.Keys) ? request.Keys.length : 0),
      0,
    );
    if (keyCount > MAX_BATCH_GET_KEYS) {
      throw validationError('Too many items requested for the BatchGetItem call');
    }
    const responses: Record<string, unknown[]> = {};
    for (const [tableName, request] of Object.entries(requests)) {
      if (!isInput(request)) throw validationError(`RequestItems.${tableName} must be a map`);
      responses[tableName] = getItems(this.table({ TableName: tableName }), request).map(itemToResponse);
    }
    return { Responses: responses, UnprocessedKeys: {} };
  }

  private async batchWrite(input: Input): Promise<CommandOutput> {
    const requests = input.RequestItems;
    if (!isInput(requests) || Object.keys(requests).length === 0) {
      throw validationError(
        "1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must not be null",
      );
    }
    const planned: PlannedWrite[] = [];
    for (const [tableName, writes] of Object.entries(requests)) {
      const table = this.table({ TableName: tableName });
      if (!Array.isArray(writes) || writes.length === 0)
        throw validationError(`RequestItems.${tableName} must not be empty`);
      for (const write of writes as unknown[]) {
        if (!isInput(write)) throw validationError('A write request must be a map');
        if (isInput(write.PutRequest)) planned.push(planPut(table, { Item: write.PutRequest.Item }));
        else if (isInput(write.DeleteRequest)) planned.push(planDelete(table, { Key: write.DeleteRequest.Key }));
        else throw validationError('Supplied AttributeValue has no PutRequest or DeleteRequest');
      }
    }
    if (planned.length > MAX_BATCH_WRITES) {
      throw validationError(
        `1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to ${String(MAX_BATCH_WRITES)}]`,
      );
    }
    this.assertDistinct(planned, 'Provided list of item keys contains duplicates');
    planned.forEach(applyWrite);
    await this.saveAll(planned);
    return { UnprocessedItems: {} };
  }

  /** All or nothing: every operation is planned (and its condition checked) before any is applied. */
  private async transactWrite(input: Input): Promise<CommandOutput> {
    const operations = input.TransactItems;
    if (!Array.isArray(operations) || operations.length === 0 || operations.length > MAX_TRANSACTION_ITEMS) {
      throw validationError(
        `1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to ${String(MAX_TRANSACTION_ITEMS)} and greater than or equal to 1`,
      );
    }
    const planned: PlannedWrite[] = [];
    const targets: { table: TableStore; key: Item }[] = [];
    const reasons: Record<string, unknown>[] = [];
    for (const operation of operations as unknown[]) {
      if (!isInput(operation)) throw validationError('A transact item must be a map');
      const [kind, request] = Object.entries(operation).find(([, value]) => value !== undefined) ?? [];
      if (!isInput(request))
        throw validationError('A transact item must have one of ConditionCheck, Put, Update, Delete');
      const table = this.table(request);
      const item = kind === 'Put' ? itemFromRequest(request.Item) : itemFromRequest(request.Key);
      targets.push({ table, key: kind === 'Put' ? table.keyOf(item) : table.keyFromRequest(item) });
      try {
        if (kind === 'ConditionCheck') checkOnly(table, request);
        else {
          const write =
            kind === 'Put'
              ? planPut(table, request)
              : kind === 'Update'
                ? planUpdate(table, request)
                : kind === 'Delete'
                  ? planDelete(table, request)
                  : undefined;
          if (!write) throw validationError(`Unknown transact item ${String(kind)}`);
          planned.push({ ...write, attributes: undefined });
        }
        reasons.push({ Code: 'None' });
      } catch (error) {
        if (!(error instanceof ConditionFailed)) throw error;
        reasons.push({
          Code: 'ConditionalCheckFailed',
          Message: 'The conditional request failed',
          ...(error.item === undefined ? {} : { Item: itemToResponse(error.item) }),
        });
      }
    }
    this.assertDistinct(targets, 'Transaction request cannot include multiple operations on one item');
    if (reasons.some((reason) => reason.Code !== 'None')) {
      const codes = reasons.map((reason) => String(reason.Code)).join(', ');
      const error = new LocalServiceError(
        'TransactionCanceledException',
        `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes}]`,
      );
      throw Object.assign(error, { CancellationReasons: reasons });
    }
    planned.forEach(applyWrite);
    await this.saveAll(planned);
    return {};
  }

  private assertDistinct(targets: { table: TableStore; key: Item }[], message: string): void {
    const ids = targets.map(({ table, key }) => `${table.definition.name}\n${table.idOf(key)}`);
    if (new Set(ids).size !== ids.length) throw validationError(message);
  }

  private async saveAll(writes: PlannedWrite[]): Promise<void> {
    await Promise.all([...new Set(writes.map((write) => write.table))].map((table) => table.save()));
  }
}
