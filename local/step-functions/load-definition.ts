import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface ResourceValues {
  /** `Ref: <LogicalId>` -> what CloudFormation would put there (a name, ARN, URL or id). */
  refs: Record<string, string>;
  /** `Fn::GetAtt: [<Name>LambdaFunction, Arn]` -> the local function ARN. */
  lambdaArns: Record<string, string>;
}

function resolve(value: Json, values: ResourceValues): Json {
  if (Array.isArray(value)) return value.map((item) => resolve(item, values));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'Ref') {
    const name = typeof value.Ref === 'string' ? value.Ref : JSON.stringify(value.Ref);
    const resolved = values.refs[name];
    if (resolved === undefined) throw new Error(`the ASL references ${name}, which local mode lacks`);
    return resolved;
  }
  if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
    const [logicalId = '', attribute] = value['Fn::GetAtt'] as string[];
    const resolved = attribute === 'Arn' ? values.lambdaArns[logicalId] : undefined;
    if (resolved === undefined)
      throw new Error(`the ASL uses Fn::GetAtt ${logicalId}.${String(attribute)}, unknown locally`);
    return resolved;
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolve(item, values)]));
}

/** The ASL file, unchanged, with its CloudFormation references resolved as a deploy would resolve them. */
export function loadDefinition(path: string, values: ResourceValues): JsonObject {
  return resolve(parse(readFileSync(path, 'utf8')) as Json, values) as JsonObject;
}
