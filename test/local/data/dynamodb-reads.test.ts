import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  type AttributeValue,
  type DynamoDBClient,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand as DocumentQueryCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { LocalDynamoDb } from '../../../local/services/dynamodb/local-dynamodb';
import { CATALOGUE_TABLE, localDynamoClients, temporaryDataDir } from './local-data-wiring';

const TableName = CATALOGUE_TABLE.name;
/** A table with a sort key, for key conditions on it. */
const EVENTS_TABLE = { name: 'vodflow-test-events', partitionKey: 'assetId', sortKey: 'at' };

let dataDir: string;
let cleanup: () => void;
let client: DynamoDBClient;
let documents: DynamoDBDocumentClient;

function start(): void {
  ({ client, documents } = localDynamoClients(new LocalDynamoDb({ dataDir, tables: [CATALOGUE_TABLE, EVENTS_TABLE] })));
}

beforeEach(() => {
  ({ dataDir, cleanup } = temporaryDataDir());
  start();
});
afterEach(() => {
  cleanup();
});

async function seedEvents(): Promise<void> {
  for (const at of [1, 2, 3, 10, 20]) {
    await client.send(
      new PutItemCommand({
        TableName: EVENTS_TABLE.name,
        Item: { assetId: { S: 'a1' }, at: { N: String(at) }, kind: { S: at % 2 === 0 ? 'even' : 'odd' } },
      }),
    );
  }
  await client.send(
    new PutItemCommand({ TableName: EVENTS_TABLE.name, Item: { assetId: { S: 'a2' }, at: { N: '1' } } }),
  );
}

async function atValues(input: Partial<QueryCommandInput>): Promise<string[]> {
  const { Items = [] } = await client.send(
    new QueryCommand({
      TableName: EVENTS_TABLE.name,
      KeyConditionExpression: 'assetId = :a',
      ...input,
      ExpressionAttributeValues: { ':a': { S: 'a1' }, ...input.ExpressionAttributeValues },
    }),
  );
  return Items.map((item) => (item.at as { N: string }).N);
}

describe('local DynamoDB Query', () => {
  beforeEach(seedEvents);

  it('orders by the sort key as numbers, both ways', async () => {
    await expect(atValues({})).resolves.toEqual(['1', '2', '3', '10', '20']);
    await expect(atValues({ ScanIndexForward: false })).resolves.toEqual(['20', '10', '3', '2', '1']);
  });

  it.each([
    ['assetId = :a AND #at = :v', { ':v': { N: '3' } }, ['3']],
    ['assetId = :a AND #at < :v', { ':v': { N: '3' } }, ['1', '2']],
    ['assetId = :a AND #at <= :v', { ':v': { N: '3' } }, ['1', '2', '3']],
    ['assetId = :a AND #at > :v', { ':v': { N: '3' } }, ['10', '20']],
    ['assetId = :a AND #at >= :v', { ':v': { N: '10' } }, ['10', '20']],
    ['(#at BETWEEN :v AND :w) AND assetId = :a', { ':v': { N: '2' }, ':w': { N: '10' } }, ['2', '3', '10']],
  ])('key condition %s', async (KeyConditionExpression, values, expected) => {
    await expect(
      atValues({
        KeyConditionExpression,
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: values,
      }),
    ).resolves.toEqual(expected);
  });

  it('filters after reading: Limit counts items read, Count items kept', async () => {
    const page = await client.send(
      new QueryCommand({
        TableName: EVENTS_TABLE.name,
        KeyConditionExpression: 'assetId = :a',
        FilterExpression: 'kind = :even',
        ExpressionAttributeValues: { ':a': { S: 'a1' }, ':even': { S: 'even' } },
        Limit: 3,
      }),
    );

    expect(page.Items?.map((item) => item.at)).toEqual([{ N: '2' }]);
    expect(page).toMatchObject({
      Count: 1,
      ScannedCount: 3,
      LastEvaluatedKey: { assetId: { S: 'a1' }, at: { N: '3' } },
    });
  });

  it('pages with ExclusiveStartKey until LastEvaluatedKey is gone', async () => {
    const pages: string[][] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: EVENTS_TABLE.name,
          KeyConditionExpression: 'assetId = :a',
          ExpressionAttributeValues: { ':a': { S: 'a1' } },
          ScanIndexForward: false,
          Limit: 2,
          ExclusiveStartKey: start,
        }),
      );
      pages.push((page.Items ?? []).map((item) => (item.at as { N: string }).N));
      start = page.LastEvaluatedKey;
    } while (start);

    expect(pages).toEqual([['20', '10'], ['3', '2'], ['1']]);
  });

  it('counts with Select COUNT and projects with ProjectionExpression', async () => {
    const counted = await client.send(
      new QueryCommand({
        TableName: EVENTS_TABLE.name,
        KeyConditionExpression: 'assetId = :a',
        ExpressionAttributeValues: { ':a': { S: 'a1' } },
        Select: 'COUNT',
      }),
    );
    const projected = await atValues({ ProjectionExpression: '#at', ExpressionAttributeNames: { '#at': 'at' } });

    expect(counted.Items).toBeUndefined();
    expect(counted.Count).toBe(5);
    expect(projected).toEqual(['1', '2', '3', '10', '20']);
  });

  it('refuses key conditions DynamoDB refuses', async () => {
    const query = (KeyConditionExpression: string, values: Record<string, AttributeValue> = {}) =>
      client.send(
        new QueryCommand({
          TableName: EVENTS_TABLE.name,
          KeyConditionExpression,
          ExpressionAttributeValues: { ':a': { S: 'a1' }, ...values },
        }),
      );

    await expect(query('kind = :a')).rejects.toThrow('Query condition missed key schema element: at');
    await expect(query('assetId = :a OR assetId = :a')).rejects.toThrow(
      'Invalid operator used in KeyConditionExpression: OR',
    );
    await expect(query('assetId <> :a')).rejects.toThrow(
      'Unsupported operator on KeyConditionExpression: operator: <>',
    );
    await expect(query('assetId = :a AND contains(kind, :a)')).rejects.toThrow(
      'Invalid operator used in KeyConditionExpression: contains',
    );
    await expect(
      client.send(
        new QueryCommand({
          TableName: EVENTS_TABLE.name,
          KeyConditionExpression: 'assetId = :a',
          FilterExpression: 'assetId = :a',
          ExpressionAttributeValues: { ':a': { S: 'a1' } },
        }),
      ),
    ).rejects.toThrow('Filter Expression can only contain non-primary key attributes: Primary key attribute: assetId');
  });
});

describe('local DynamoDB global secondary index', () => {
  beforeEach(async () => {
    const records = [
      { assetId: 'v1', status: 'READY', updatedAt: '2026-11-21T05:00:00Z', title: 'one' },
      { assetId: 'v2', status: 'READY', updatedAt: '2026-11-21T07:00:00Z', title: 'two' },
      { assetId: 'v3', status: 'FAILED', updatedAt: '2026-11-21T06:00:00Z', title: 'three' },
      { assetId: 'v4', status: 'READY', updatedAt: '2026-11-21T06:00:00Z', title: 'four' },
      // No index keys: not in the index.
      { assetId: 'v5', title: 'five' },
    ];
    for (const record of records) await documents.send(new PutCommand({ TableName, Item: record }));
  });

  it('lists the newest READY videos through the index, page by page, with the document client', async () => {
    const first = await documents.send(
      new DocumentQueryCommand({
        TableName,
        IndexName: 'byStatus',
        KeyConditionExpression: '#status = :ready',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':ready': 'READY' },
        ScanIndexForward: false,
        Limit: 2,
      }),
    );
    const second = await documents.send(
      new DocumentQueryCommand({
        TableName,
        IndexName: 'byStatus',
        KeyConditionExpression: '#status = :ready',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':ready': 'READY' },
        ScanIndexForward: false,
        Limit: 2,
        ExclusiveStartKey: first.LastEvaluatedKey,
      }),
    );

    expect(first.Items?.map((item) => String(item.assetId))).toEqual(['v2', 'v4']);
    expect(first.LastEvaluatedKey).toEqual({ assetId: 'v4', status: 'READY', updatedAt: '2026-11-21T06:00:00Z' });
    expect(second.Items?.map((item) => String(item.title))).toEqual(['one']);
    expect(second.LastEvaluatedKey).toBeUndefined();
  });

  it('scans the index without items lacking its keys, and refuses unknown indexes and consistent reads', async () => {
    const { Items = [] } = await client.send(new ScanCommand({ TableName, IndexName: 'byStatus' }));

    expect(Items.map((item) => item.assetId?.S).sort()).toEqual(['v1', 'v2', 'v3', 'v4']);
    await expect(client.send(new ScanCommand({ TableName, IndexName: 'byTitle' }))).rejects.toThrow(
      'The table does not have the specified index: byTitle',
    );
    await expect(
      client.send(new ScanCommand({ TableName, IndexName: 'byStatus', ConsistentRead: true })),
    ).rejects.toThrow('Consistent reads are not supported on global secondary indexes');
  });
});

describe('local DynamoDB Scan, batches and transactions', () => {
  it('scans with a filter and pagination', async () => {
    for (const n of [1, 2, 3, 4, 5]) {
      await client.send(
        new PutItemCommand({ TableName, Item: { assetId: { S: `s${String(n)}` }, n: { N: String(n) } } }),
      );
    }
    const seen: string[] = [];
    let start: Record<string, AttributeValue> | undefined;
    let pages = 0;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName,
          FilterExpression: 'n >= :three',
          ExpressionAttributeValues: { ':three': { N: '3' } },
          Limit: 2,
          ExclusiveStartKey: start,
        }),
      );
      seen.push(...(page.Items ?? []).map((item) => item.assetId?.S ?? ''));
      start = page.LastEvaluatedKey;
      pages += 1;
    } while (start);

    expect(seen.sort()).toEqual(['s3', 's4', 's5']);
    expect(pages).toBe(3);
  });

  it('gets and writes in batches', async () => {
    await client.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [TableName]: [
            { PutRequest: { Item: { assetId: { S: 'b1' } } } },
            { PutRequest: { Item: { assetId: { S: 'b2' }, title: { S: 'two' } } } },
          ],
        },
      }),
    );
    await client.send(
      new BatchWriteItemCommand({
        RequestItems: { [TableName]: [{ DeleteRequest: { Key: { assetId: { S: 'b1' } } } }] },
      }),
    );

    const { Responses, UnprocessedKeys } = await client.send(
      new BatchGetItemCommand({
        RequestItems: {
          [TableName]: { Keys: [{ assetId: { S: 'b1' } }, { assetId: { S: 'b2' } }], ProjectionExpression: 'title' },
        },
      }),
    );

    expect(Responses).toEqual({ [TableName]: [{ title: { S: 'two' } }] });
    expect(UnprocessedKeys).toEqual({});
    await expect(
      client.send(
        new BatchGetItemCommand({
          RequestItems: { [TableName]: { Keys: [{ assetId: { S: 'b2' } }, { assetId: { S: 'b2' } }] } },
        }),
      ),
    ).rejects.toThrow('Provided list of item keys contains duplicates');
  });

  it('writes all or nothing in a transaction', async () => {
    await client.send(new PutItemCommand({ TableName, Item: { assetId: { S: 't1' }, n: { N: '1' } } }));
    await client.send(new PutItemCommand({ TableName, Item: { assetId: { S: 't0' }, n: { N: '1' } } }));
    const transaction = (expected: string, checked = 't0') =>
      client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Update: {
                TableName,
                Key: { assetId: { S: 't1' } },
                UpdateExpression: 'SET n = n + :one',
                ExpressionAttributeValues: { ':one': { N: '1' } },
              },
            },
            {
              Put: { TableName, Item: { assetId: { S: 't2' } }, ConditionExpression: 'attribute_not_exists(assetId)' },
            },
            {
              ConditionCheck: {
                TableName,
                Key: { assetId: { S: checked } },
                ConditionExpression: 'n = :n',
                ExpressionAttributeValues: { ':n': { N: expected } },
              },
            },
          ],
        }),
      );

    await expect(transaction('7')).rejects.toMatchObject({
      name: 'TransactionCanceledException',
      message:
        'Transaction cancelled, please refer cancellation reasons for specific reasons [None, None, ConditionalCheckFailed]',
    });
    expect((await documents.send(new GetCommand({ TableName, Key: { assetId: 't2' } }))).Item).toBeUndefined();

    await expect(transaction('1', 't1')).rejects.toThrow(
      'Transaction request cannot include multiple operations on one item',
    );
    await transaction('1');
    expect((await documents.send(new GetCommand({ TableName, Key: { assetId: 't1' } }))).Item).toEqual({
      assetId: 't1',
      n: 2,
    });
    expect((await documents.send(new GetCommand({ TableName, Key: { assetId: 't2' } }))).Item).toEqual({
      assetId: 't2',
    });
  });
});

describe('local DynamoDB state', () => {
  it('survives a restart with the same data folder', async () => {
    await documents.send(
      new PutCommand({ TableName, Item: { assetId: 'p1', status: 'READY', updatedAt: 'x', tags: new Set(['a']) } }),
    );

    start();

    const { Item } = await documents.send(new GetCommand({ TableName, Key: { assetId: 'p1' } }));
    expect(Item).toEqual({ assetId: 'p1', status: 'READY', updatedAt: 'x', tags: new Set(['a']) });
  });

  it('stays consistent under concurrent conditional writes', async () => {
    // Ten writers race to claim one record: exactly one condition passes.
    const claims = await Promise.allSettled(
      Array.from({ length: 10 }, (_, index) =>
        documents.send(
          new PutCommand({
            TableName,
            Item: { assetId: 'race', owner: index },
            ConditionExpression: 'attribute_not_exists(assetId)',
          }),
        ),
      ),
    );

    expect(claims.filter((claim) => claim.status === 'fulfilled')).toHaveLength(1);
    start();
    const { Item } = await documents.send(new GetCommand({ TableName, Key: { assetId: 'race' } }));
    expect(claims[Item?.owner as number]?.status).toBe('fulfilled');
  });
});
