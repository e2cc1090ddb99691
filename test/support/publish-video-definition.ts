import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadDefinition, type Json } from '../../local/step-functions/load-definition';

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

/** What `Fn::GetAtt [<Name>LambdaFunction, Arn]` gives for the machine's Lambda states. */
const LAMBDA_ARNS: Record<string, string> = Object.fromEntries(
  ['ProbeSource', 'SubmitTranscode', 'RegisterAsset'].map((name) => [
    `${name}LambdaFunction`,
    `arn:aws:lambda:${REGION}:${ACCOUNT}:function:vodflow-test-${name}`,
  ]),
);

export type { Json };

/** The ASL file as written (with CloudFormation references). */
export function readRawDefinition(): { [key: string]: Json } {
  return parse(readFileSync(ASL_PATH, 'utf8')) as { [key: string]: Json };
}

/** The ASL file with references resolved the way CloudFormation resolves them at deploy time. */
export function loadPublishVideoDefinition(): { [key: string]: Json } {
  return loadDefinition(ASL_PATH, { refs: REF_VALUES, lambdaArns: LAMBDA_ARNS });
}
