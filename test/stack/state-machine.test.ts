import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  type CfnTemplate,
  describeReference,
  packageStack,
  properties,
  REPO_ROOT,
  resource,
  STATE_MACHINE_NAME,
} from '../support/cloudformation';

// asl-validator ships no types: (definition, options) -> { isValid, errorsText }.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator') as (
  definition: unknown,
  options?: { checkArn: boolean; checkPaths: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };

const ASL_PATH = join(REPO_ROOT, 'statemachines', 'publish-video.asl.yml');

/** What CloudFormation substitutes for each intrinsic the definition uses, in the formats CloudFormation returns. */
const FAKE_VALUES: Record<string, string> = {
  'GetAtt:ProbeSourceLambdaFunction.Arn': 'arn:aws:lambda:us-east-1:123456789012:function:vodflow-test-probeSource',
  'GetAtt:SubmitTranscodeLambdaFunction.Arn':
    'arn:aws:lambda:us-east-1:123456789012:function:vodflow-test-submitTranscode',
  'GetAtt:RegisterAssetLambdaFunction.Arn': 'arn:aws:lambda:us-east-1:123456789012:function:vodflow-test-registerAsset',
  'Ref:CatalogueTable': 'vodflow-test-CatalogueTable-ABC123',
  'Ref:NotificationsTopic': 'arn:aws:sns:us-east-1:123456789012:vodflow-test-notifications',
  'Ref:DeadLetterQueue': 'https://sqs.us-east-1.amazonaws.com/123456789012/vodflow-test-publish-dead-letters',
  'Ref:PlaybackDistribution': 'E2EXAMPLE0ABCD',
};
const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '123456789012',
};

let template: CfnTemplate;

beforeAll(async () => {
  ({ template } = await packageStack());
}, 180_000);

/** The DefinitionString's Fn::Sub: the JSON text and its named substitutions. */
function definitionSub(): { text: string; substitutions: Record<string, unknown> } {
  const definition = properties(template, 'PublishVideoStateMachine').DefinitionString as Record<string, unknown>;
  const sub = definition['Fn::Sub'];
  if (typeof sub === 'string') return { text: sub, substitutions: {} };
  const [text, substitutions] = sub as [string, Record<string, unknown>];
  return { text, substitutions };
}

/** The definition exactly as Step Functions will receive it, with fake values for the stack's resources. */
function renderedDefinition(): unknown {
  const { text, substitutions } = definitionSub();
  const rendered = text.replace(/\$\{([^}]+)\}/g, (placeholder, name: string) => {
    const pseudo = PSEUDO_PARAMETERS[name];
    if (pseudo !== undefined) return pseudo;
    const reference = describeReference(substitutions[name]);
    const fake = reference === undefined ? undefined : FAKE_VALUES[reference];
    if (fake === undefined)
      throw new Error(`the definition substitutes ${placeholder}, which this test cannot resolve`);
    return fake;
  });
  return JSON.parse(rendered);
}

describe('publish-video state machine', () => {
  it('is a Standard workflow named after the stage, with its own role', () => {
    const machine = resource(template, 'PublishVideoStateMachine');
    expect(machine.Type).toBe('AWS::StepFunctions::StateMachine');
    expect(machine.Properties).toMatchObject({
      StateMachineType: 'STANDARD',
      StateMachineName: STATE_MACHINE_NAME,
      RoleArn: { 'Fn::GetAtt': ['PublishVideoStateMachineRole', 'Arn'] },
    });
  });

  it('logs failures to its own log group without execution data, and traces with X-Ray', () => {
    const props = properties(template, 'PublishVideoStateMachine');
    expect(props.LoggingConfiguration).toEqual({
      Level: 'ERROR',
      IncludeExecutionData: false,
      Destinations: [
        { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': ['PublishVideoStateMachineLogGroup', 'Arn'] } } },
      ],
    });
    expect(props.TracingConfiguration).toEqual({ Enabled: true });
    expect(properties(template, 'PublishVideoStateMachineLogGroup')).toMatchObject({
      LogGroupName: `/aws/vendedlogs/states/${STATE_MACHINE_NAME}`,
      RetentionInDays: expect.any(Number),
    });
  });

  it('references the three functions, the catalogue, the topic, the dead-letter queue and the distribution', () => {
    const referenced = Object.values(definitionSub().substitutions).map(describeReference);
    expect(new Set(referenced)).toEqual(new Set(Object.keys(FAKE_VALUES)));
  });

  it('renders to a valid ASL definition once CloudFormation substitutes the references', () => {
    const definition = renderedDefinition();
    const { isValid, errorsText } = aslValidator(structuredClone(definition));
    expect(errorsText('\n')).toBe('');
    expect(isValid).toBe(true);
    const states = Object.values((definition as { States: Record<string, { Resource?: string }> }).States);
    const resources = states.map((state) => state.Resource).filter((value) => value !== undefined);
    expect(resources).toContain(FAKE_VALUES['GetAtt:ProbeSourceLambdaFunction.Arn']);
    expect(resources).toContain('arn:aws:states:::lambda:invoke.waitForTaskToken');
  });

  it('is loaded from statemachines/publish-video.asl.yml, which asl-validator accepts as written', () => {
    expect(existsSync(ASL_PATH)).toBe(true);
    const source = parse(readFileSync(ASL_PATH, 'utf8')) as unknown;
    // asl-validator adds QueryLanguage to the states it checks: give it a copy.
    const { isValid, errorsText } = aslValidator(structuredClone(source));
    expect(errorsText('\n')).toBe('');
    expect(isValid).toBe(true);
  });

  it('outputs its ARN', () => {
    expect(template.Outputs?.PublishVideoStateMachineArn?.Value).toEqual({ Ref: 'PublishVideoStateMachine' });
  });
});
