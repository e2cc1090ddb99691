import {
  allPolicyStatements,
  asArray,
  type CfnTemplate,
  describeReference,
  functionRole,
  type PolicyStatement,
  packageStack,
  properties,
  resourcesOfType,
  roleStatements,
  STATE_MACHINE_NAME,
  trustedServices,
} from '../support/cloudformation';

/**
 * Actions allowed on `Resource: '*'`, each because the action supports no resource-level permissions (the Service
 * Authorization Reference lists no resource type for it), so '*' is the only Resource IAM accepts.
 */
const UNSCOPABLE_ACTIONS: Record<string, string> = {
  'xray:PutTraceSegments': 'X-Ray has no resource-level permissions',
  'xray:PutTelemetryRecords': 'X-Ray has no resource-level permissions',
  'xray:GetSamplingRules': 'X-Ray has no resource-level permissions (state machine tracing)',
  'xray:GetSamplingTargets': 'X-Ray has no resource-level permissions (state machine tracing)',
  'logs:CreateLogDelivery': 'vended-log delivery for the state machine; no resource-level permissions',
  'logs:GetLogDelivery': 'vended-log delivery for the state machine; no resource-level permissions',
  'logs:UpdateLogDelivery': 'vended-log delivery for the state machine; no resource-level permissions',
  'logs:DeleteLogDelivery': 'vended-log delivery for the state machine; no resource-level permissions',
  'logs:ListLogDeliveries': 'vended-log delivery for the state machine; no resource-level permissions',
  'logs:PutResourcePolicy': 'vended-log delivery for the state machine; account-level log resource policy',
  'logs:DescribeResourcePolicies': 'vended-log delivery for the state machine; account-level listing',
  'logs:DescribeLogGroups': 'vended-log delivery for the state machine; account-level listing',
  'mediaconvert:Probe': 'Probe has no resource type; what it reads is bounded by the S3 and KMS statements',
  'mediapackage-vod:CreateAsset': 'CreateAsset has no resource type; what it ingests is bounded by the passed role',
  'states:SendTaskSuccess': 'task-token callbacks have no resource type; the token names the one waiting task',
  'states:SendTaskFailure': 'task-token callbacks have no resource type; the token names the one waiting task',
  'states:SendTaskHeartbeat': 'task-token callbacks have no resource type; the token names the one waiting task',
};

const EXECUTIONS_OF_THIS_MACHINE = `:execution:${STATE_MACHINE_NAME}:*`;

let template: CfnTemplate;

beforeAll(async () => {
  ({ template } = await packageStack());
}, 180_000);

const actionsOf = (statement: PolicyStatement) => asArray(statement.Action);
const resourcesOf = (statement: PolicyStatement) => asArray(statement.Resource);
const functionIds = () => resourcesOfType(template, 'AWS::Lambda::Function').map(([logicalId]) => logicalId);

/** Statements of a role that grant at least one action of a service. */
function serviceStatements(roleLogicalId: string, service: string): PolicyStatement[] {
  return roleStatements(template, roleLogicalId).filter((statement) =>
    actionsOf(statement).some((action) => action.startsWith(`${service}:`)),
  );
}

/** A resource written as Fn::Sub text (ARN patterns built from pseudo parameters). */
const subText = (value: unknown) =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)['Fn::Sub'] : undefined;

describe('one role per function', () => {
  it('gives every function its own role, assumable by Lambda only', () => {
    const roles = functionIds().map((logicalId) => functionRole(template, logicalId));
    expect(roles).toHaveLength(13);
    expect(new Set(roles).size).toBe(roles.length);
    for (const role of roles) expect(trustedServices(template, role)).toEqual(['lambda.amazonaws.com']);
    // The framework's shared IamRoleLambdaExecution would be a second, broader identity for every function.
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
  });

  it('lets each function write only to its own log group and send traces', () => {
    for (const logicalId of functionIds()) {
      const role = functionRole(template, logicalId);
      const logStatements = serviceStatements(role, 'logs');
      const ownLogGroup = `GetAtt:${logicalId.replace(/LambdaFunction$/, '')}LogGroup.Arn`;
      expect(logStatements).toHaveLength(1);
      expect(new Set(actionsOf(logStatements[0]!))).toEqual(new Set(['logs:CreateLogStream', 'logs:PutLogEvents']));
      expect(resourcesOf(logStatements[0]!).map(describeReference)).toEqual([ownLogGroup]);
      const traces = serviceStatements(role, 'xray').flatMap(actionsOf);
      expect(traces).toEqual(expect.arrayContaining(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']));
    }
  });
});

describe('least privilege everywhere', () => {
  it('never allows `*` or `service:*` in any policy, nor any wildcard action in an IAM policy', () => {
    const offending: string[] = [];
    for (const { logicalId, kind, statement } of allPolicyStatements(template)) {
      if (statement.NotAction !== undefined) offending.push(`${logicalId}: NotAction`);
      // Deny s3:* / sqs:* over plain HTTP is the point of the TLS statements; the rule is about what is allowed.
      if (statement.Effect !== 'Allow') continue;
      for (const action of actionsOf(statement)) {
        if (/^\*$|^[\w-]+:\*$/.test(action)) offending.push(`${logicalId}: ${action}`);
        // Partial wildcards (kms:Describe*) only in the key policy's administration statement.
        if (kind === 'identity' && action.includes('*')) offending.push(`${logicalId}: ${action}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it("uses Resource '*' only for actions that cannot be scoped (the allow-list above)", () => {
    const offending: string[] = [];
    for (const { logicalId, kind, statement } of allPolicyStatements(template)) {
      // In a key policy, '*' is "this key"; trust policies have no Resource.
      if (kind === 'key' || kind === 'trust') continue;
      if (statement.NotResource !== undefined) offending.push(`${logicalId}: NotResource`);
      if (!resourcesOf(statement).includes('*')) continue;
      for (const action of actionsOf(statement)) {
        if (!(action in UNSCOPABLE_ACTIONS)) offending.push(`${logicalId}: ${action} on '*'`);
      }
    }
    expect(offending).toEqual([]);
  });

  it('never lets an anonymous principal in through a resource policy', () => {
    const anonymousAllows = allPolicyStatements(template).filter(({ kind, statement }) => {
      if (kind === 'identity' || statement.Effect !== 'Allow') return false;
      const principal = statement.Principal as { AWS?: unknown } | string | undefined;
      return principal === '*' || asArray(typeof principal === 'object' ? principal.AWS : undefined).includes('*');
    });
    expect(anonymousAllows).toEqual([]);
  });

  it('passes roles only to the service each is for', () => {
    const passRoles = allPolicyStatements(template).filter(({ statement }) =>
      actionsOf(statement).includes('iam:PassRole'),
    );
    expect(passRoles.map(({ logicalId, statement }) => [logicalId, describeReference(statement.Resource)])).toEqual(
      expect.arrayContaining([
        ['SubmitTranscodeRole', 'GetAtt:MediaConvertRole.Arn'],
        ['RegisterAssetRole', 'GetAtt:MediaPackageSourceRole.Arn'],
        // MediaPackage's documented CDN authorization policy: the role MediaPackage assumes passes only itself.
        ['MediaPackageCdnAuthorizationPolicy', 'GetAtt:MediaPackageCdnAuthorizationRole.Arn'],
      ]),
    );
    expect(passRoles).toHaveLength(3);
    for (const { logicalId, statement } of passRoles) {
      if (logicalId === 'MediaPackageCdnAuthorizationPolicy') continue;
      expect(statement.Condition?.StringEquals?.['iam:PassedToService']).toMatch(
        /^media(convert|package)\.amazonaws\.com$/,
      );
    }
  });

  it('uses the data key only through S3, SNS or SQS', () => {
    const keyUses = allPolicyStatements(template).filter(
      ({ kind, statement }) => kind === 'identity' && actionsOf(statement).some((action) => action.startsWith('kms:')),
    );
    expect(keyUses.length).toBeGreaterThan(0);
    for (const { logicalId, statement } of keyUses) {
      expect({ logicalId, resource: describeReference(statement.Resource) }).toEqual({
        logicalId,
        resource: 'GetAtt:DataKey.Arn',
      });
      expect(statement.Condition?.StringEquals?.['kms:ViaService']).toBeDefined();
    }
  });
});

describe('the functions that drive executions', () => {
  it('lets startPublish start only this state machine', () => {
    const role = functionRole(template, 'StartPublishLambdaFunction');
    const states = serviceStatements(role, 'states');
    const starts = states.filter((statement) => actionsOf(statement).includes('states:StartExecution'));
    expect(starts).toHaveLength(1);
    expect(actionsOf(starts[0]!)).toEqual(['states:StartExecution']);
    expect(resourcesOf(starts[0]!)).toEqual([{ Ref: 'PublishVideoStateMachine' }]);
    // StartExecution's dependent action, limited to this machine's executions.
    for (const statement of states.filter((candidate) => candidate !== starts[0])) {
      expect(actionsOf(statement)).toEqual(['states:DescribeExecution']);
      expect(String(subText(statement.Resource))).toContain(EXECUTIONS_OF_THIS_MACHINE);
    }
  });

  it('lets redrive describe and redrive only executions of this state machine', () => {
    const role = functionRole(template, 'RedriveLambdaFunction');
    const states = serviceStatements(role, 'states');
    expect(states.flatMap(actionsOf).sort()).toEqual(['states:DescribeExecution', 'states:RedriveExecution']);
    for (const statement of states) {
      for (const arn of resourcesOf(statement)) {
        expect(String(subText(arn))).toMatch(
          new RegExp(
            `^arn:\\$\\{AWS::Partition\\}:states:\\$\\{AWS::Region\\}:\\$\\{AWS::AccountId\\}${EXECUTIONS_OF_THIS_MACHINE.replace(/\*/g, '\\*')}$`,
          ),
        );
      }
    }
    const queue = serviceStatements(role, 'sqs');
    expect(queue.flatMap(resourcesOf).map(describeReference)).toEqual(['GetAtt:DeadLetterQueue.Arn']);
  });

  it('lets transcodeCallback answer task tokens but not start, stop or redrive anything', () => {
    const role = functionRole(template, 'TranscodeCallbackLambdaFunction');
    expect(serviceStatements(role, 'states').flatMap(actionsOf).sort()).toEqual([
      'states:SendTaskFailure',
      'states:SendTaskHeartbeat',
      'states:SendTaskSuccess',
    ]);
  });

  it('lets transcodeWatchdog heartbeat or fail task tokens, read job status and clear tokens, nothing more', () => {
    const role = functionRole(template, 'TranscodeWatchdogLambdaFunction');
    expect(serviceStatements(role, 'states').flatMap(actionsOf).sort()).toEqual([
      'states:SendTaskFailure',
      'states:SendTaskHeartbeat',
    ]);
    expect(serviceStatements(role, 'mediaconvert').flatMap(actionsOf)).toEqual(['mediaconvert:GetJob']);
    const tokens = serviceStatements(role, 'dynamodb');
    expect(tokens.flatMap(actionsOf).sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:Scan']);
    expect(tokens.flatMap(resourcesOf).map(describeReference)).toEqual(['GetAtt:TranscodeJobsTable.Arn']);
  });

  it('lets the state machine invoke only its three task functions', () => {
    const invokes = serviceStatements('PublishVideoStateMachineRole', 'lambda');
    const targets = invokes.flatMap(resourcesOf).map((arn) => describeReference(arn) ?? subText(arn));
    expect(new Set(targets)).toEqual(
      new Set([
        'GetAtt:ProbeSourceLambdaFunction.Arn',
        '${ProbeSourceLambdaFunction.Arn}:*',
        'GetAtt:SubmitTranscodeLambdaFunction.Arn',
        '${SubmitTranscodeLambdaFunction.Arn}:*',
        'GetAtt:RegisterAssetLambdaFunction.Arn',
        '${RegisterAssetLambdaFunction.Arn}:*',
      ]),
    );
    expect(invokes.flatMap(actionsOf)).toEqual(['lambda:InvokeFunction']);
  });

  it('lets only the state machine (of this account and name) assume its role', () => {
    const trust = allPolicyStatements(template).filter(
      ({ logicalId, kind }) => logicalId === 'PublishVideoStateMachineRole' && kind === 'trust',
    );
    expect(trust).toHaveLength(1);
    expect(trust[0]!.statement.Principal).toEqual({ Service: 'states.amazonaws.com' });
    expect(String(subText(trust[0]!.statement.Condition?.ArnLike?.['aws:SourceArn']))).toMatch(
      new RegExp(`:stateMachine:${STATE_MACHINE_NAME}$`),
    );
  });

  it('gives the MediaConvert job role read on sources and write on assets/ only', () => {
    expect(trustedServices(template, 'MediaConvertRole')).toEqual(['mediaconvert.amazonaws.com']);
    const writes = serviceStatements('MediaConvertRole', 's3').filter((statement) =>
      actionsOf(statement).includes('s3:PutObject'),
    );
    expect(writes.flatMap(resourcesOf).map(subText)).toEqual(['${MediaBucket.Arn}/assets/*']);
    expect(properties(template, 'MediaConvertRole').ManagedPolicyArns).toBeUndefined();
  });

  it('lets RegisterAsset write only the .smil and .vtt text files under assets/, never the media', () => {
    const s3Actions = serviceStatements('RegisterAssetRole', 's3');
    expect(s3Actions.flatMap(actionsOf)).toEqual(['s3:PutObject']);
    expect(s3Actions.flatMap(resourcesOf).map(subText)).toEqual([
      '${MediaBucket.Arn}/assets/*.smil',
      '${MediaBucket.Arn}/assets/*.vtt',
    ]);
  });
});

describe('the viewer API functions', () => {
  /** What a role may do, beyond its own logs and traces: action -> resources (compact references or Fn::Sub text). */
  function grants(functionLogicalId: string): Record<string, string[]> {
    const role = functionRole(template, functionLogicalId);
    const granted: Record<string, string[]> = {};
    for (const statement of roleStatements(template, role)) {
      if (statement.Sid === 'WriteOwnLogs' || statement.Sid === 'WriteTraces') continue;
      expect(statement.Effect).toBe('Allow');
      for (const action of actionsOf(statement)) {
        granted[action] = [
          ...(granted[action] ?? []),
          ...resourcesOf(statement).map((arn) => describeReference(arn) ?? String(subText(arn))),
        ];
      }
    }
    return granted;
  }
  const CATALOGUE = 'GetAtt:CatalogueTable.Arn';
  const BY_STATUS_INDEX = '${CatalogueTable.Arn}/index/byStatus';

  it('lets createUpload record the asset and pre-sign uploads into uploads/ only, encrypted through S3', () => {
    expect(grants('CreateUploadLambdaFunction')).toEqual({
      'dynamodb:PutItem': [CATALOGUE],
      's3:PutObject': ['${SourceBucket.Arn}/uploads/*'],
      's3:AbortMultipartUpload': ['${SourceBucket.Arn}/uploads/*'],
      'kms:GenerateDataKey': ['GetAtt:DataKey.Arn'],
      'kms:Decrypt': ['GetAtt:DataKey.Arn'],
    });
  });

  it('lets listVideos only query the byStatus index', () => {
    expect(grants('ListVideosLambdaFunction')).toEqual({ 'dynamodb:Query': [BY_STATUS_INDEX] });
  });

  it('lets getVideo only read one catalogue item', () => {
    expect(grants('GetVideoLambdaFunction')).toEqual({ 'dynamodb:GetItem': [CATALOGUE] });
  });

  it('lets authorizePlayback read the asset and the signing-key secret named by the operator, nothing else', () => {
    expect(grants('AuthorizePlaybackLambdaFunction')).toEqual({
      'dynamodb:GetItem': [CATALOGUE],
      'secretsmanager:GetSecretValue': [
        'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:vodflow/test/cloudfront-signing-key-??????',
      ],
    });
  });

  it('lets unpublishVideo read and mark the record, delete packaged assets and invalidate this distribution', () => {
    expect(grants('UnpublishVideoLambdaFunction')).toEqual({
      'dynamodb:GetItem': [CATALOGUE],
      'dynamodb:UpdateItem': [CATALOGUE],
      'mediapackage-vod:DeleteAsset': [
        'arn:${AWS::Partition}:mediapackage-vod:${AWS::Region}:${AWS::AccountId}:assets/*',
      ],
      'cloudfront:CreateInvalidation': [
        'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${PlaybackDistribution}',
      ],
    });
  });

  // Its policy (MediaPackage's documented one, in a separate AWS::IAM::RolePolicy): deployable-template.test.ts.
  it('lets MediaPackage assume the CDN authorization role', () => {
    expect(trustedServices(template, 'MediaPackageCdnAuthorizationRole')).toEqual(['mediapackage.amazonaws.com']);
    expect(roleStatements(template, 'MediaPackageCdnAuthorizationRole')).toEqual([]);
  });
});
