import type { AttributeValue } from './attribute-value';

/** One step of a document path: `a`, `#n` (resolved to its name), or `[3]`. */
export type PathElement = { name: string } | { index: number };
export type DocumentPath = PathElement[];

export type Operand =
  | { kind: 'path'; path: DocumentPath }
  | { kind: 'value'; value: AttributeValue }
  | { kind: 'size'; path: DocumentPath };

export type Comparator = '=' | '<>' | '<' | '<=' | '>' | '>=';
export type ConditionFunction =
  'attribute_exists' | 'attribute_not_exists' | 'attribute_type' | 'begins_with' | 'contains';

export type Condition =
  | { kind: 'compare'; operator: Comparator; left: Operand; right: Operand }
  | { kind: 'between'; operand: Operand; lower: Operand; upper: Operand }
  | { kind: 'in'; operand: Operand; candidates: Operand[] }
  | { kind: 'and' | 'or'; left: Condition; right: Condition }
  | { kind: 'not'; condition: Condition }
  | { kind: 'function'; name: ConditionFunction; args: Operand[] };

export type UpdateOperand =
  | { kind: 'path'; path: DocumentPath }
  | { kind: 'value'; value: AttributeValue }
  | { kind: 'if_not_exists'; path: DocumentPath; fallback: UpdateOperand }
  | { kind: 'list_append'; first: UpdateOperand; second: UpdateOperand };

export type SetValue =
  | { kind: 'operand'; operand: UpdateOperand }
  | { kind: 'arithmetic'; operator: '+' | '-'; left: UpdateOperand; right: UpdateOperand };

export interface UpdateActions {
  set: { path: DocumentPath; value: SetValue }[];
  remove: DocumentPath[];
  add: { path: DocumentPath; value: AttributeValue }[];
  delete: { path: DocumentPath; value: AttributeValue }[];
}

export function formatPath(path: DocumentPath): string {
  return path.map((element) => ('name' in element ? element.name : `[${String(element.index)}]`)).join(', ');
}
