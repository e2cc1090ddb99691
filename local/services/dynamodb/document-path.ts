import type { AttributeValue, Item } from './attribute-value';
import type { DocumentPath, PathElement } from './expression-ast';
import { validationError } from './dynamodb-errors';

/** The value a document path points at in an item, or undefined when any step of it is missing. */
export function valueAt(item: Item, path: DocumentPath): AttributeValue | undefined {
  let current: AttributeValue | undefined = { M: item };
  for (const element of path) {
    current = child(current, element);
    if (current === undefined) return undefined;
  }
  return current;
}

function child(value: AttributeValue | undefined, element: PathElement): AttributeValue | undefined {
  if (value === undefined) return undefined;
  if ('name' in element) return 'M' in value ? value.M[element.name] : undefined;
  return 'L' in value ? value.L[element.index] : undefined;
}

function invalidUpdatePath(): Error {
  return validationError('The document path provided in the update expression is invalid for update');
}

/**
 * Writes a value at a path of a (mutable) item, as SET does: the parent must exist and be of the right type; an
 * index past the end of a list appends.
 */
export function setValueAt(item: Item, path: DocumentPath, value: AttributeValue): void {
  const parent = parentOf(item, path);
  const last = path[path.length - 1] as PathElement;
  if ('name' in last) {
    if (!('M' in parent)) throw invalidUpdatePath();
    parent.M[last.name] = value;
    return;
  }
  if (!('L' in parent)) throw invalidUpdatePath();
  if (last.index >= parent.L.length) parent.L.push(value);
  else parent.L[last.index] = value;
}

/** Removes what a path points at; a missing attribute or index is not an error (REMOVE is idempotent). */
export function removeValueAt(item: Item, path: DocumentPath): void {
  let parent: AttributeValue;
  try {
    parent = parentOf(item, path);
  } catch {
    return;
  }
  const last = path[path.length - 1] as PathElement;
  if ('name' in last && 'M' in parent) Reflect.deleteProperty(parent.M, last.name);
  else if ('index' in last && 'L' in parent && last.index < parent.L.length) parent.L.splice(last.index, 1);
}

function parentOf(item: Item, path: DocumentPath): AttributeValue {
  let current: AttributeValue | undefined = { M: item };
  for (const element of path.slice(0, -1)) {
    current = child(current, element);
    if (current === undefined) throw invalidUpdatePath();
  }
  return current;
}

/**
 * Only the attributes the paths name, in the shape of the item (ProjectionExpression, UPDATED_OLD/NEW). List
 * elements picked by index are returned in index order, without gaps, as DynamoDB does.
 */
export function project(item: Item, paths: DocumentPath[]): Item {
  const result: AttributeValue = { M: {} };
  for (const path of paths) {
    const value = valueAt(item, path);
    if (value === undefined) continue;
    let source: AttributeValue = { M: item };
    let target: AttributeValue = result;
    path.forEach((element, position) => {
      const sourceChild = child(source, element) as AttributeValue;
      const isLast = position === path.length - 1;
      target = placeInto(target, element, isLast ? structuredClone(sourceChild) : emptyLike(sourceChild));
      source = sourceChild;
    });
  }
  return result.M;
}

function emptyLike(value: AttributeValue): AttributeValue {
  return 'L' in value ? { L: [] } : { M: {} };
}

/** Puts `value` at `element` of the projected container unless something is already there; returns what is there. */
function placeInto(container: AttributeValue, element: PathElement, value: AttributeValue): AttributeValue {
  if ('name' in element && 'M' in container) {
    container.M[element.name] ??= value;
    return container.M[element.name] as AttributeValue;
  }
  if ('index' in element && 'L' in container) {
    const slots = container.L;
    const existing = slotIndices.get(container)?.get(element.index);
    if (existing !== undefined) return existing;
    const indices = slotIndices.get(container) ?? new Map<number, AttributeValue>();
    slotIndices.set(container, indices);
    indices.set(element.index, value);
    const ordered = [...indices.entries()].sort(([a], [b]) => a - b).map(([, entry]) => entry);
    slots.splice(0, slots.length, ...ordered);
    return value;
  }
  return value;
}

/** Which source index each element of a projected list came from, so projections keep index order. */
const slotIndices = new WeakMap<AttributeValue, Map<number, AttributeValue>>();

export function pathsOverlap(a: DocumentPath, b: DocumentPath): boolean {
  const shorter = Math.min(a.length, b.length);
  for (let position = 0; position < shorter; position += 1) {
    if (JSON.stringify(a[position]) !== JSON.stringify(b[position])) return false;
  }
  return true;
}
