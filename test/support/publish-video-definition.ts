import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const ASL_PATH = join(__dirname, '..', '..', 'statemachines', 'publish-video.asl.yml');
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const STATE_MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:vodflow-test-publish-video`;

/** What `Ref` gives for each CloudFormation resource the ASL names (CloudFormation's own formats). */
export const REF_VALUES: Record<string, string> = {
  CatalogueTable: 'vodflow-test-catalogue',
  NotificationsTopic: `arn:aws:sns:${REGION}:${ACCOUNT}:vodflow-test-notifications`,
  DeadLetterQueue: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/vodflow-test-dead-letters`,
  PlaybackDistribution: 'E2EXAMPLE0ABCD',
};

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function resolveIntrinsics(value: Json): Json {
  if (Array.isArray(value)) return value.map(resolveIntrinsics);
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'Ref') {
    const name = value.Ref as string;
    const resolved = REF_VALUES[name];
    if (resolved === undefined) throw new Error(`the ASL references unknown resource ${name}`);
    return resolved;
  }
  if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
    const [logicalId, attribute] = value['Fn::GetAtt'] as [string, string];
    if (attribute !== 'Arn' || !logicalId.endsWith('LambdaFunction')) {
      throw new Error(`unexpected Fn::GetAtt ${logicalId}.${attribute}`);
    }
    return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:vodflow-test-${logicalId.replace(/LambdaFunction$/, '')}`;
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveIntrinsics(item)]));
}

/** The ASL file as written (with CloudFormation references). */
export function readRawDefinition(): { [key: string]: Json } {
  return parse(readFileSync(ASL_PATH, 'utf8')) as { [key: string]: Json };
}

/** The ASL file with references resolved the way CloudFormation resolves them at deploy time. */
export function loadPublishVideoDefinition(): { [key: string]: Json } {
  return resolveIntrinsics(readRawDefinition()) as { [key: string]: Json };
}
