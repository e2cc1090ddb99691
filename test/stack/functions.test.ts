import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  type CfnTemplate,
  packageStack,
  PREFIX,
  properties,
  REPO_ROOT,
  resourcesOfType,
} from '../support/cloudformation';

/** Function key -> handler, exactly as the state machine, the HTTP API and the docs name them. */
const FUNCTIONS: Record<string, string> = {
  startPublish: 'functions/start-publish/handler.handler',
  probeSource: 'functions/probe-source/handler.handler',
  submitTranscode: 'functions/submit-transcode/handler.handler',
  transcodeCallback: 'functions/transcode-callback/handler.handler',
  transcodeWatchdog: 'functions/transcode-watchdog/handler.handler',
  registerAsset: 'functions/register-asset/handler.handler',
  redrive: 'functions/redrive/handler.handler',
  createUpload: 'functions/create-upload/handler.handler',
  listVideos: 'functions/list-videos/handler.handler',
  getVideo: 'functions/get-video/handler.handler',
  authorizePlayback: 'functions/authorize-playback/handler.handler',
  unpublishVideo: 'functions/unpublish-video/handler.handler',
  settleStoppedExecution: 'functions/settle-stopped-execution/handler.handler',
};

let template: CfnTemplate;

beforeAll(async () => {
  ({ template } = await packageStack());
}, 180_000);

const logicalIdOf = (key: string) => `${key.charAt(0).toUpperCase()}${key.slice(1)}LambdaFunction`;

/** Environment variables a function's own code requires (requiredEnv() calls in its folder). */
function variablesRequiredBy(handler: string): Set<string> {
  const folder = join(REPO_ROOT, dirname(handler));
  const sources = readdirSync(folder)
    .filter((file) => file.endsWith('.ts'))
    .map((file) => readFileSync(join(folder, file), 'utf8'))
    .join('\n');
  return new Set([...sources.matchAll(/requiredEnv\(\s*'([A-Z0-9_]+)'/g)].map((match) => match[1]!));
}

describe('functions', () => {
  it('deploys exactly the thirteen functions, under the names the state machine and the API use', () => {
    const deployed = resourcesOfType(template, 'AWS::Lambda::Function').map(([logicalId]) => logicalId);
    expect(deployed.sort()).toEqual(Object.keys(FUNCTIONS).map(logicalIdOf).sort());
  });

  it.each(Object.entries(FUNCTIONS))(
    '%s runs %s on Node.js 22 (20 left Lambda support in April 2026), arm64, traced',
    (key, handler) => {
      const props = properties(template, logicalIdOf(key));
      expect(props).toMatchObject({
        Handler: handler,
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        FunctionName: `${PREFIX}-${key}`,
      });
      expect(existsSync(join(REPO_ROOT, `${handler.replace(/\.handler$/, '')}.ts`))).toBe(true);
    },
  );

  it.each(Object.entries(FUNCTIONS))('%s gets every environment variable its code requires', (key, handler) => {
    const variables = (properties(template, logicalIdOf(key)).Environment as { Variables: Record<string, unknown> })
      .Variables;
    const required = [...variablesRequiredBy(handler)];
    expect(required.filter((name) => !(name in variables))).toEqual([]);
  });

  it('passes the default source limits and token lifetime', () => {
    const env = (key: string) =>
      (properties(template, logicalIdOf(key)).Environment as { Variables: Record<string, string> }).Variables;
    expect(env('probeSource')).toMatchObject({
      MAX_SOURCE_DURATION_SECONDS: '14400',
      MAX_SOURCE_BYTES: '53687091200',
    });
    expect(env('submitTranscode')).toMatchObject({ TASK_TOKEN_TTL_SECONDS: '86400' });
  });

  it('keeps each function’s logs for the configured retention', () => {
    const logGroups = resourcesOfType(template, 'AWS::Logs::LogGroup').filter(([logicalId]) =>
      Object.keys(FUNCTIONS).some((key) => logicalIdOf(key).replace('LambdaFunction', 'LogGroup') === logicalId),
    );
    expect(logGroups).toHaveLength(Object.keys(FUNCTIONS).length);
    for (const [, logGroup] of logGroups) expect(logGroup.Properties?.RetentionInDays).toBe(30);
  });

  it('outputs what operators and clients need', () => {
    expect(Object.keys(template.Outputs ?? {})).toEqual(
      expect.arrayContaining([
        'SourceBucketName',
        'MediaBucketName',
        'CatalogueTableName',
        'TranscodeJobsTableName',
        'NotificationsTopicArn',
        'AlarmTopicArn',
        'DeadLetterQueueUrl',
        'EventsDeadLetterQueueUrl',
        'PublishVideoStateMachineArn',
        'PlaybackDistributionId',
        'PlaybackDistributionDomainName',
        'PlaybackPublicKeyId',
        'ApiBaseUrl',
        'JwtIssuer',
        'SigningKeySecretName',
      ]),
    );
  });
});
