import { join } from 'node:path';
import { AtomicJsonFile } from '../../persistence/atomic-json-file';
import { compareScalars, type AttributeValue, type Item } from './attribute-value';
import { validationError } from './dynamodb-errors';

export interface IndexDefinition {
  name: string;
  partitionKey: string;
  sortKey?: string;
}

export interface TableDefinition {
  name: string;
  partitionKey: string;
  sortKey?: string;
  indexes?: IndexDefinition[];
  /** The attribute DynamoDB TTL reads (epoch seconds); expired items are no longer returned. */
  ttlAttribute?: string;
}

/** The keys a read walks by: the table's own, or a global secondary index's. */
export interface KeyView {
  indexName?: string;
  partitionKey: string;
  sortKey?: string;
}

const KEY_TYPES = ['S', 'N', 'B'];

function isKeyValue(value: AttributeValue | undefined): value is { S: string } | { N: string } | { B: string } {
  return value !== undefined && KEY_TYPES.some((type) => type in value);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function keyMismatch(): Error {
  return validationError('The provided key element does not match the schema');
}

/** One table: its items in memory, keyed by primary key, saved to `<dataDir>/dynamodb/<table>.json` after changes. */
export class TableStore {
  private readonly items = new Map<string, Item>();
  private readonly file: AtomicJsonFile;

  constructor(
    readonly definition: TableDefinition,
    dataDir: string,
  ) {
    // A damaged table file keeps every item still readable in it (one item a line): a catalogue never loses all.
    this.file = new AtomicJsonFile(join(dataDir, 'dynamodb', `${encodeURIComponent(definition.name)}.json`), {
      recover: (records) => ({ items: records.filter((record) => definition.partitionKey in record) }),
    });
    this.file.prepare();
    const saved = this.file.read() as { items?: Item[] } | undefined;
    const now = Date.now();
    for (const item of saved?.items ?? []) {
      // What DynamoDB's TTL would have deleted while the service was down is gone after a restart.
      if (!this.isExpired(item, now)) this.items.set(this.idOf(item), item);
    }
  }

  get keyAttributes(): string[] {
    const { partitionKey, sortKey } = this.definition;
    return sortKey === undefined ? [partitionKey] : [partitionKey, sortKey];
  }

  view(indexName: string | undefined): KeyView {
    if (indexName === undefined)
      return { partitionKey: this.definition.partitionKey, sortKey: this.definition.sortKey };
    const index = this.definition.indexes?.find((candidate) => candidate.name === indexName);
    if (!index) throw validationError(`The table does not have the specified index: ${indexName}`);
    return { indexName, partitionKey: index.partitionKey, sortKey: index.sortKey };
  }

  /** The primary key of a Key parameter: exactly the key attributes, of key types. */
  keyFromRequest(key: Item): Item {
    const names = Object.keys(key);
    if (names.length !== this.keyAttributes.length || !this.keyAttributes.every((name) => names.includes(name))) {
      throw keyMismatch();
    }
    for (const name of this.keyAttributes) this.checkKeyValue(name, key[name]);
    return key;
  }

  private checkKeyValue(name: string, value: AttributeValue | undefined): void {
    if (!isKeyValue(value)) throw keyMismatch();
    if (('S' in value && value.S === '') || ('B' in value && value.B === '')) {
      throw validationError(
        `One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: ${name}`,
      );
    }
    checkKeySize(value, name === this.definition.partitionKey ? 'partition' : 'sort');
  }

  /** An item about to be written: has its key, and index keys it carries are valid index keys. */
  checkItem(item: Item): void {
    for (const name of this.keyAttributes) {
      if (item[name] === undefined) {
        throw validationError(`One or more parameter values were invalid: Missing the key ${name} in the item`);
      }
      this.checkKeyValue(name, item[name]);
    }
    for (const index of this.definition.indexes ?? []) {
      for (const name of [index.partitionKey, index.sortKey]) {
        const value = name === undefined ? undefined : item[name];
        if (name === undefined || value === undefined) continue;
        if (!isKeyValue(value)) {
          throw validationError(
            `One or more parameter values were invalid: Type mismatch for Index Key ${name} Expected: S, N or B Actual: ${Object.keys(value)[0] ?? ''} IndexName: ${index.name}`,
          );
        }
        checkKeySize(value, name === index.partitionKey ? 'partition' : 'sort');
        if (('S' in value && value.S === '') || ('B' in value && value.B === '')) {
          throw validationError(
            `One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: ${index.name}, IndexKey: ${name}`,
          );
        }
      }
    }
  }

  idOf(item: Item): string {
    return JSON.stringify(this.keyAttributes.map((name) => item[name]));
  }

  keyOf(item: Item): Item {
    return Object.fromEntries(this.keyAttributes.map((name) => [name, item[name] as AttributeValue]));
  }

  /** The stored item, whether or not TTL has expired it (writes and conditions see it until it is deleted). */
  stored(key: Item): Item | undefined {
    return this.items.get(this.idOf(key));
  }

  /** The item as reads see it: expired items are hidden. */
  visible(key: Item, now = Date.now()): Item | undefined {
    const item = this.stored(key);
    return item === undefined || this.isExpired(item, now) ? undefined : item;
  }

  isExpired(item: Item, now: number): boolean {
    const attribute = this.definition.ttlAttribute;
    const value = attribute === undefined ? undefined : item[attribute];
    if (value === undefined || !('N' in value)) return false;
    const expiresAt = Number(value.N);
    return expiresAt > 0 && expiresAt * 1000 <= now;
  }

  put(item: Item): void {
    this.items.set(this.idOf(item), item);
  }

  remove(key: Item): void {
    this.items.delete(this.idOf(key));
  }

  /** Items a read of this view can see (for an index: only items that carry the index's keys), in key order. */
  readable(view: KeyView, now = Date.now()): Item[] {
    const carriesKeys = (item: Item) =>
      isKeyValue(item[view.partitionKey]) && (view.sortKey === undefined || isKeyValue(item[view.sortKey]));
    return [...this.items.values()]
      .filter((item) => !this.isExpired(item, now) && carriesKeys(item))
      .sort((a, b) => this.compareInView(view, a, b));
  }

  /** Key order of a view: partition, then sort key (typed), then the table key so that index order is total. */
  compareInView(view: KeyView, a: Item, b: Item): number {
    const partition = compareText(JSON.stringify(a[view.partitionKey]), JSON.stringify(b[view.partitionKey]));
    if (partition !== 0) return partition;
    if (view.sortKey !== undefined) {
      const left = a[view.sortKey];
      const right = b[view.sortKey];
      const order = left && right ? compareScalars(left, right) : undefined;
      if (order !== undefined && order !== 0) return order;
      if (order === undefined && left && right) {
        const byType = compareText(JSON.stringify(left), JSON.stringify(right));
        if (byType !== 0) return byType;
      }
    }
    return compareText(this.idOf(a), this.idOf(b));
  }

  /** The key attributes of a position in a view (LastEvaluatedKey): the table key plus the index key. */
  positionKey(view: KeyView, item: Item): Item {
    const names = new Set([
      ...this.keyAttributes,
      view.partitionKey,
      ...(view.sortKey === undefined ? [] : [view.sortKey]),
    ]);
    return Object.fromEntries([...names].map((name) => [name, item[name] as AttributeValue]));
  }

  checkStartKey(view: KeyView, key: Item): void {
    const expected = Object.keys(this.positionKey(view, key));
    const names = Object.keys(key);
    const valid =
      names.length === expected.length && expected.every((name) => names.includes(name) && isKeyValue(key[name]));
    if (!valid)
      throw validationError('The provided starting key is invalid: The provided key element does not match the schema');
  }

  save(): Promise<void> {
    return this.file.save(() => ({ table: this.definition.name, items: [...this.items.values()] }));
  }
}

// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html#limits-partition-sort-keys
const MAX_PARTITION_KEY_BYTES = 2048;
const MAX_SORT_KEY_BYTES = 1024;

/** A string or binary key value is at most 2,048 bytes (partition key) or 1,024 bytes (sort key). */
function checkKeySize(value: AttributeValue, role: 'partition' | 'sort'): void {
  const bytes =
    'S' in value ? Buffer.byteLength(value.S, 'utf8') : 'B' in value ? Buffer.from(value.B, 'base64').length : 0;
  if (role === 'partition' && bytes > MAX_PARTITION_KEY_BYTES) {
    throw validationError(
      `One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of ${String(MAX_PARTITION_KEY_BYTES)} bytes`,
    );
  }
  if (role === 'sort' && bytes > MAX_SORT_KEY_BYTES) {
    throw validationError(
      `One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of ${String(MAX_SORT_KEY_BYTES)} bytes`,
    );
  }
}
