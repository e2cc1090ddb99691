import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { LocalDynamoDb } from '../../../local/services/dynamodb/local-dynamodb';
import { CATALOGUE_TABLE, localDynamoClients, temporaryDataDir } from './local-data-wiring';

const TableName = CATALOGUE_TABLE.name;
type Item = Record<string, AttributeValue>;

let cleanup: () => void;
let client: DynamoDBClient;

beforeEach(() => {
  const data = temporaryDataDir();
  cleanup = data.cleanup;
  client = localDynamoClients(new LocalDynamoDb({ dataDir: data.dataDir, tables: [CATALOGUE_TABLE] })).client;
});
afterEach(() => {
  cleanup();
});

const key = { assetId: { S: 'a1' } };

async function put(item: Item): Promise<void> {
  await client.send(new PutItemCommand({ TableName, Item: { ...key, ...item } }));
}

async function get(): Promise<Item | undefined> {
  return (await client.send(new GetItemCommand({ TableName, Key: key }))).Item;
}

async function update(
  UpdateExpression: string,
  values?: Item,
  names?: Record<string, string>,
  extra: Partial<ConstructorParameters<typeof UpdateItemCommand>[0]> = {},
) {
  return client.send(
    new UpdateItemCommand({
      TableName,
      Key: key,
      UpdateExpression,
      ExpressionAttributeValues: values,
      ExpressionAttributeNames: names,
      ...extra,
    }),
  );
}

/** Whether a condition holds for the stored item: a conditional no-op update succeeds or fails on it. */
async function holds(ConditionExpression: string, values?: Item, names?: Record<string, string>): Promise<boolean> {
  try {
    await client.send(
      new UpdateItemCommand({
        TableName,
        Key: key,
        ConditionExpression,
        ExpressionAttributeValues: values,
        ExpressionAttributeNames: names,
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

describe('local DynamoDB condition expressions', () => {
  beforeEach(async () => {
    await put({
      title: { S: 'Big Buck Bunny' },
      plays: { N: '42' },
      tags: { SS: ['animation', 'open'] },
      sizes: { NS: ['1', '2'] },
      renditions: { L: [{ M: { name: { S: '1080p' }, width: { N: '1920' } } }, { M: { name: { S: '720p' } } }] },
      job: { M: { progress: { N: '50' }, 'job-id': { S: 'j1' } } },
      ready: { BOOL: true },
      nothing: { NULL: true },
    });
  });

  it.each([
    ['plays = :n', { ':n': { N: '42.0' } }, true],
    ['plays <> :n', { ':n': { N: '42' } }, false],
    ['absent <> :n', { ':n': { N: '1' } }, true],
    ['plays < :n', { ':n': { N: '100' } }, true],
    ['plays <= :n', { ':n': { N: '42' } }, true],
    ['plays > :n', { ':n': { N: '9' } }, true],
    ['plays >= :n', { ':n': { N: '43' } }, false],
    ['title < :s', { ':s': { S: 'C' } }, true],
    ['plays BETWEEN :a AND :b', { ':a': { N: '40' }, ':b': { N: '42' } }, true],
    ['plays IN (:a, :b)', { ':a': { N: '1' }, ':b': { N: '42' } }, true],
    ['title IN (:a)', { ':a': { N: '1' } }, false],
    ['begins_with(title, :p)', { ':p': { S: 'Big' } }, true],
    ['contains(title, :p)', { ':p': { S: 'Buck' } }, true],
    ['contains(tags, :t)', { ':t': { S: 'open' } }, true],
    ['contains(sizes, :n)', { ':n': { N: '3' } }, false],
    ['size(tags) = :two', { ':two': { N: '2' } }, true],
    ['size(title) > :n', { ':n': { N: '13' } }, true],
    ['size(renditions) = :two', { ':two': { N: '2' } }, true],
    ['attribute_type(ready, :t)', { ':t': { S: 'BOOL' } }, true],
    ['attribute_type(nothing, :t)', { ':t': { S: 'S' } }, false],
    ['renditions[0].width = :w', { ':w': { N: '1920' } }, true],
    ['renditions[1].width = :w', { ':w': { N: '1920' } }, false],
    ['NOT plays = :n AND ready = :t', { ':n': { N: '1' }, ':t': { BOOL: true } }, true],
    ['plays = :n OR ready = :t AND plays = :n', { ':n': { N: '1' }, ':t': { BOOL: true } }, false],
    ['(plays = :n OR ready = :t) AND NOT plays = :n', { ':n': { N: '1' }, ':t': { BOOL: true } }, true],
  ])('%s -> %s', async (condition, values, expected) => {
    await expect(holds(condition, values as Item)).resolves.toBe(expected);
  });

  it('reads attributes through names, nested names and entries indexes', async () => {
    await expect(holds('attribute_exists(#job.#id)', undefined, { '#job': 'job', '#id': 'job-id' })).resolves.toBe(
      true,
    );
    await expect(holds('attribute_not_exists(#job.#id)', undefined, { '#job': 'job', '#id': 'job-id' })).resolves.toBe(
      false,
    );
    await expect(holds('attribute_exists(renditions[1].#n)', undefined, { '#n': 'name' })).resolves.toBe(true);
    await expect(holds('attribute_exists(renditions[2])')).resolves.toBe(false);
  });

  it('refuses bad expressions with ValidationException and the messages of DynamoDB', async () => {
    await expect(holds('plays = :absent')).rejects.toThrow(
      'Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :absent',
    );
    await expect(holds('#x = :n', { ':n': { N: '1' } })).rejects.toThrow(
      'An expression attribute name used in the document path is not defined; attribute name: #x',
    );
    await expect(holds('plays = :n', { ':n': { N: '1' }, ':unused': { S: 'x' } })).rejects.toThrow(
      'Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}',
    );
    await expect(holds('plays = :n', { ':n': { N: '1' } }, { '#unused': 'x' })).rejects.toThrow(
      'Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}',
    );
    await expect(holds('status = :s', { ':s': { S: 'READY' } })).rejects.toThrow(
      'Attribute name is a reserved keyword; reserved keyword: status',
    );
    await expect(holds('plays = = :n', { ':n': { N: '1' } })).rejects.toThrow(
      'Invalid ConditionExpression: Syntax error; token: "=", near: "= = :n"',
    );
    await expect(holds('plays BETWEEN :b AND :a', { ':a': { N: '1' }, ':b': { N: '5' } })).rejects.toThrow(
      'The BETWEEN operator requires upper bound to be greater than or equal to lower bound',
    );
    await expect(holds('begins_with(title, :n)', { ':n': { N: '1' } })).rejects.toThrow(
      'Incorrect operand type for operator or function; operator or function: begins_with, operand type: N',
    );
    await expect(holds('attribute_exists(:n)', { ':n': { N: '1' } })).rejects.toThrow(
      'Operator or function requires a document path; operator or function: attribute_exists',
    );
    await expect(holds('nope(plays)')).rejects.toThrow('Invalid function name; function: nope');
    const error = await holds('plays = :absent').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
  });
});

describe('local DynamoDB update expressions', () => {
  it('applies SET, REMOVE and ADD clauses in any order, reading every right-hand side from the stale item', async () => {
    await put({ count: { N: '1' }, stale: { S: 'x' }, version: { N: '3' } });

    const { Attributes } = await update(
      'REMOVE stale ADD #v :one SET #c = #c + :one, previous = #c, created = if_not_exists(created, :now), entries = list_append(if_not_exists(entries, :empty), :items)',
      { ':one': { N: '1' }, ':now': { S: '2026-01-01' }, ':empty': { L: [] }, ':items': { L: [{ S: 'a' }] } },
      { '#v': 'version', '#c': 'count' },
      { ReturnValues: 'ALL_NEW' },
    );

    expect(Attributes).toEqual({
      ...key,
      count: { N: '2' },
      previous: { N: '1' },
      version: { N: '4' },
      created: { S: '2026-01-01' },
      entries: { L: [{ S: 'a' }] },
    });
  });

  it('keeps if_not_exists values that exist, and subtracts and adds exact decimals', async () => {
    await put({ created: { S: 'first' }, price: { N: '0.3' } });

    await update('SET created = if_not_exists(created, :now), price = price - :p, doubled = :big + :big', {
      ':now': { S: 'second' },
      ':p': { N: '0.1' },
      ':big': { N: '12345678901234567890.5' },
    });

    expect(await get()).toMatchObject({
      created: { S: 'first' },
      price: { N: '0.2' },
      doubled: { N: '24691357802469135781' },
    });
  });

  it('writes and removes nested paths and entries elements', async () => {
    await put({ job: { M: { id: { S: 'j' } } }, entries: { L: [{ S: 'a' }, { S: 'b' }, { S: 'c' }] } });

    await update('SET job.progress = :p, entries[1] = :x, entries[9] = :end REMOVE entries[0], job.id', {
      ':p': { N: '50' },
      ':x': { S: 'B' },
      ':end': { S: 'd' },
    });

    expect(await get()).toMatchObject({
      job: { M: { progress: { N: '50' } } },
      entries: { L: [{ S: 'B' }, { S: 'c' }, { S: 'd' }] },
    });
  });

  it('adds to and deletes from sets; an emptied set is removed', async () => {
    await put({ tags: { SS: ['a', 'b'] }, labels: { SS: ['x', 'y'] } });

    await update('ADD tags :more, numbers :n DELETE labels :gone', {
      ':more': { SS: ['c'] },
      ':n': { NS: ['1', '2'] },
      ':gone': { SS: ['x'] },
    });
    await update('DELETE tags :gone', { ':gone': { SS: ['a'] } });
    expect(await get()).toMatchObject({ tags: { SS: ['b', 'c'] }, labels: { SS: ['y'] }, numbers: { NS: ['1', '2'] } });
    await expect(
      update('ADD tags :more DELETE tags :gone', { ':more': { SS: ['d'] }, ':gone': { SS: ['b'] } }),
    ).rejects.toThrow('Two document paths overlap with each other');

    await update('DELETE tags :all', { ':all': { SS: ['b', 'c'] } });
    expect((await get())?.tags).toBeUndefined();
  });

  it('returns UPDATED_OLD, UPDATED_NEW and ALL_OLD', async () => {
    await put({ a: { N: '1' }, b: { S: 'keep' } });

    const stale = await update('SET a = a + :one', { ':one': { N: '1' } }, undefined, { ReturnValues: 'UPDATED_OLD' });
    const fresh = await update('SET a = a + :one', { ':one': { N: '1' } }, undefined, { ReturnValues: 'UPDATED_NEW' });
    const all = await update('REMOVE b', undefined, undefined, { ReturnValues: 'ALL_OLD' });

    expect(stale.Attributes).toEqual({ a: { N: '1' } });
    expect(fresh.Attributes).toEqual({ a: { N: '3' } });
    expect(all.Attributes).toEqual({ ...key, a: { N: '3' }, b: { S: 'keep' } });
  });

  it('creates the item on update, with only its key when there is no expression', async () => {
    await client.send(new UpdateItemCommand({ TableName, Key: key }));
    expect(await get()).toEqual(key);
  });

  it('refuses updates DynamoDB refuses', async () => {
    await put({ n: { N: '1' }, s: { S: 'x' } });

    await expect(update('SET assetId = :v', { ':v': { S: 'b' } })).rejects.toThrow(
      'Cannot update attribute assetId. This attribute is part of the key',
    );
    await expect(update('SET a = :v REMOVE a', { ':v': { S: 'b' } })).rejects.toThrow(
      'Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]',
    );
    await expect(update('SET m = absent + :one', { ':one': { N: '1' } })).rejects.toThrow(
      'The provided expression refers to an attribute that does not exist in the item',
    );
    await expect(update('SET s = s + :one', { ':one': { N: '1' } })).rejects.toThrow(
      'An operand in the update expression has an incorrect data type',
    );
    await expect(update('ADD s :one', { ':one': { N: '1' } })).rejects.toThrow(
      'An operand in the update expression has an incorrect data type',
    );
    await expect(update('SET nope.deep = :one', { ':one': { N: '1' } })).rejects.toThrow(
      'The document path provided in the update expression is invalid for update',
    );
    await expect(update('SET a = :one SET b = :one', { ':one': { N: '1' } })).rejects.toThrow(
      'The "SET" section can only be used once in an update expression;',
    );
    await expect(update('SET #s = :one', { ':one': { N: '1' } })).rejects.toThrow(
      'Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #s',
    );
    await expect(update('SET a = size(s)')).rejects.toThrow(
      'The function is not allowed to be used this way in an expression; function: size',
    );
    await expect(update('MOVE a')).rejects.toThrow('Invalid UpdateExpression: Syntax error; token: "MOVE"');
    expect(await get()).toEqual({ ...key, n: { N: '1' }, s: { S: 'x' } });
  });
});

describe('local DynamoDB writes and conditions', () => {
  it('fails a condition with ConditionalCheckFailedException and can return the item', async () => {
    await put({ publishId: { S: 'p1' } });

    const error = await client
      .send(
        new PutItemCommand({
          TableName,
          Item: { ...key, publishId: { S: 'p2' } },
          ConditionExpression: 'attribute_not_exists(assetId)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      )
      .catch((caught: unknown) => caught);

    expect(error).toMatchObject({
      name: 'ConditionalCheckFailedException',
      message: 'The conditional request failed',
      Item: { ...key, publishId: { S: 'p1' } },
    });
    expect(await get()).toEqual({ ...key, publishId: { S: 'p1' } });
  });

  it('deletes conditionally and returns ALL_OLD', async () => {
    await put({ v: { N: '1' } });

    await expect(
      client.send(
        new DeleteItemCommand({
          TableName,
          Key: key,
          ConditionExpression: 'v = :two',
          ExpressionAttributeValues: { ':two': { N: '2' } },
        }),
      ),
    ).rejects.toThrow('The conditional request failed');
    const deleted = await client.send(new DeleteItemCommand({ TableName, Key: key, ReturnValues: 'ALL_OLD' }));

    expect(deleted.Attributes).toEqual({ ...key, v: { N: '1' } });
    expect(await get()).toBeUndefined();
  });

  it('validates keys, items, values and tables', async () => {
    await expect(client.send(new GetItemCommand({ TableName, Key: { labels: { S: 'x' } } }))).rejects.toThrow(
      'The provided key element does not match the schema',
    );
    await expect(client.send(new PutItemCommand({ TableName, Item: { title: { S: 'x' } } }))).rejects.toThrow(
      'One or more parameter values were invalid: Missing the key assetId in the item',
    );
    await expect(client.send(new GetItemCommand({ TableName, Key: { assetId: { S: '' } } }))).rejects.toThrow(
      'The AttributeValue for a key attribute cannot contain an empty string value. Key: assetId',
    );
    await expect(put({ n: { N: 'abc' } })).rejects.toThrow('A value provided cannot be converted into a number');
    await expect(put({ s: { SS: [] } })).rejects.toThrow('An string set  may not be empty');
    await expect(put({ s: { SS: ['a', 'a'] } })).rejects.toThrow('Input collection [a, a] contains duplicates.');
    await expect(put({ status: { S: '' } })).rejects.toThrow(
      'The AttributeValue for a key attribute cannot contain an empty string value. IndexName: byStatus, IndexKey: status',
    );
    await expect(put({ big: { S: 'x'.repeat(400 * 1024) } })).rejects.toThrow(
      'Item size has exceeded the maximum allowed size',
    );
    await expect(client.send(new PutItemCommand({ TableName, Item: key, ReturnValues: 'ALL_NEW' }))).rejects.toThrow(
      'ReturnValues can only be ALL_OLD or NONE',
    );
    await expect(client.send(new GetItemCommand({ TableName: 'nope', Key: key }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Requested resource not found',
    });
  });

  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html
  it('refuses what DynamoDB constraints refuse: key values over 2,048 / 1,024 bytes, expressions over 4 KB, items over 400 KB', async () => {
    const longKey = { assetId: { S: 'é'.repeat(1025) } };
    await expect(client.send(new PutItemCommand({ TableName, Item: longKey }))).rejects.toMatchObject({
      name: 'ValidationException',
      message:
        'One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of 2048 bytes',
    });
    await client.send(new PutItemCommand({ TableName, Item: { assetId: { S: 'k'.repeat(2048) } } }));
    await expect(put({ status: { S: 'READY' }, updatedAt: { S: 'x'.repeat(1025) } })).rejects.toThrow(
      'Aggregated size of all range keys has exceeded the size limit of 1024 bytes',
    );
    const longCondition = `attribute_not_exists(assetId)${' AND attribute_not_exists(title)'.repeat(140)}`;
    await expect(
      client.send(new PutItemCommand({ TableName, Item: key, ConditionExpression: longCondition })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: `Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: ${String(longCondition.length)}`,
    });
    await put({ big: { S: 'x'.repeat(400 * 1024 - 'big'.length - 'assetId'.length - 'a1'.length) } });
    await expect(put({ big: { S: 'x'.repeat(400 * 1024) } })).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Item size has exceeded the maximum allowed size',
    });
  });

  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html#limits-api
  it('refuses a 26th batch write, a 101st batch key, a 101st transaction action and a 39th significant digit', async () => {
    const keys = (count: number) =>
      Array.from({ length: count }, (_, index) => ({ assetId: { S: `a${String(index)}` } }));

    await expect(
      client.send(
        new BatchWriteItemCommand({
          RequestItems: { [TableName]: keys(26).map((Item) => ({ PutRequest: { Item } })) },
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('less than or equal to 25'),
    });
    await expect(
      client.send(new BatchGetItemCommand({ RequestItems: { [TableName]: { Keys: keys(101) } } })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Too many items requested for the BatchGetItem call',
    });
    await expect(
      client.send(
        new TransactWriteItemsCommand({ TransactItems: keys(101).map((Key) => ({ Delete: { TableName, Key } })) }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('less than or equal to 100'),
    });
    await expect(put({ n: { N: '1'.repeat(39) } })).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Attempting to store more than 38 significant digits in a Number',
    });
    await put({ n: { N: '1'.repeat(38) } });
  });

  it('stores numbers canonically and binaries as bytes', async () => {
    await put({ n: { N: '015.50' }, e: { N: '1e3' }, b: { B: new Uint8Array([0, 1, 255]) } });

    expect(await get()).toEqual({ ...key, n: { N: '15.5' }, e: { N: '1000' }, b: { B: new Uint8Array([0, 1, 255]) } });
  });

  it('projects attributes with ProjectionExpression', async () => {
    await put({
      title: { S: 't' },
      job: { M: { id: { S: 'j' }, progress: { N: '5' } } },
      entries: { L: [{ S: 'a' }, { S: 'b' }, { S: 'c' }] },
    });

    const { Item } = await client.send(
      new GetItemCommand({
        TableName,
        Key: key,
        ProjectionExpression: 'title, #j.progress, entries[2], entries[0]',
        ExpressionAttributeNames: { '#j': 'job' },
      }),
    );

    expect(Item).toEqual({
      title: { S: 't' },
      job: { M: { progress: { N: '5' } } },
      entries: { L: [{ S: 'a' }, { S: 'c' }] },
    });
  });
});
