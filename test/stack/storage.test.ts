import {
  allPolicyStatements,
  asArray,
  type CfnTemplate,
  describeReference,
  packageStack,
  PREFIX,
  properties,
  resource,
  resourcesOfType,
} from '../support/cloudformation';

const FOURTEEN_DAYS = 14 * 24 * 60 * 60;

let template: CfnTemplate;

beforeAll(async () => {
  ({ template } = await packageStack());
}, 180_000);

/** Logical ids of the stack's own buckets (not the framework's deployment bucket). */
const APP_BUCKETS = ['SourceBucket', 'MediaBucket'];

function bucketPolicyStatements(bucketLogicalId: string) {
  const policies = resourcesOfType(template, 'AWS::S3::BucketPolicy').filter(
    ([, policy]) => describeReference(policy.Properties?.Bucket) === `Ref:${bucketLogicalId}`,
  );
  expect(policies).toHaveLength(1);
  const [policyLogicalId] = policies[0]!;
  return allPolicyStatements(template)
    .filter((entry) => entry.logicalId === policyLogicalId)
    .map((entry) => entry.statement);
}

describe('buckets', () => {
  it.each(APP_BUCKETS)('%s blocks every form of public access and disables ACLs', (bucket) => {
    expect(properties(template, bucket)).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
  });

  it.each(APP_BUCKETS)('%s refuses requests that are not over TLS, for the bucket and every object', (bucket) => {
    const denials = bucketPolicyStatements(bucket).filter(
      (statement) => statement.Effect === 'Deny' && statement.Condition?.Bool?.['aws:SecureTransport'] === 'false',
    );
    expect(denials).toHaveLength(1);
    expect(denials[0]).toMatchObject({ Principal: '*', Action: 's3:*' });
    expect(asArray(denials[0]!.Resource)).toEqual([
      { 'Fn::GetAtt': [bucket, 'Arn'] },
      { 'Fn::Sub': `\${${bucket}.Arn}/*` },
    ]);
  });

  it('keeps every version of every upload, encrypted with the stack key, and never expires one', () => {
    const source = resource(template, 'SourceBucket');
    expect(source.DeletionPolicy).toBe('Retain');
    expect(source.UpdateReplacePolicy).toBe('Retain');
    expect(source.Properties).toMatchObject({
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': ['DataKey', 'Arn'] },
            },
            BucketKeyEnabled: true,
          },
        ],
      },
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
    });
    const rules = (source.Properties?.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    expect(rules).toEqual([
      expect.objectContaining({ Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
    ]);
    for (const rule of rules) {
      for (const expiring of ['ExpirationInDays', 'ExpirationDate', 'NoncurrentVersionExpiration', 'Transitions']) {
        expect(rule[expiring]).toBeUndefined();
      }
    }
    // The key outlives the stack with the sources it protects.
    expect(resource(template, 'DataKey').DeletionPolicy).toBe('Retain');
    expect(properties(template, 'DataKey').EnableKeyRotation).toBe(true);
  });

  it('lets only this distribution read the media bucket, and only under assets/', () => {
    expect(properties(template, 'MediaBucket').BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    const allows = bucketPolicyStatements('MediaBucket').filter((statement) => statement.Effect === 'Allow');
    expect(allows).toEqual([
      expect.objectContaining({
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: { 'Fn::Sub': '${MediaBucket.Arn}/assets/*' },
        Condition: {
          StringEquals: {
            'AWS:SourceArn': {
              'Fn::Sub': 'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${PlaybackDistribution}',
            },
          },
        },
      }),
    ]);
  });

  it('has no other bucket than these two, so every bucket of the stack blocks public access', () => {
    expect(
      resourcesOfType(template, 'AWS::S3::Bucket')
        .map(([logicalId]) => logicalId)
        .sort(),
    ).toEqual([...APP_BUCKETS, 'ServerlessDeploymentBucket'].sort());
    expect(properties(template, 'ServerlessDeploymentBucket').PublicAccessBlockConfiguration).toMatchObject({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
  });

  it('grants no Allow to an anonymous principal in any bucket policy', () => {
    for (const bucket of APP_BUCKETS) {
      for (const statement of bucketPolicyStatements(bucket)) {
        if (statement.Effect === 'Allow') expect(statement.Principal).not.toBe('*');
      }
    }
  });
});

describe('tables', () => {
  it('keeps the catalogue on demand, recoverable, encrypted, protected from deletion, queryable by status', () => {
    const catalogue = resource(template, 'CatalogueTable');
    expect(catalogue.DeletionPolicy).toBe('Retain');
    expect(catalogue.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'assetId', KeyType: 'HASH' }],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
      // Records of uploads that never arrived expire; the workflow removes the attribute from every other record.
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byStatus',
          KeySchema: [
            { AttributeName: 'status', KeyType: 'HASH' },
            { AttributeName: 'updatedAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
    expect(catalogue.Properties?.AttributeDefinitions).toEqual(
      expect.arrayContaining([
        { AttributeName: 'assetId', AttributeType: 'S' },
        { AttributeName: 'status', AttributeType: 'S' },
        { AttributeName: 'updatedAt', AttributeType: 'S' },
      ]),
    );
  });

  it('expires stored task tokens through TTL on expiresAt', () => {
    expect(properties(template, 'TranscodeJobsTable')).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'correlationId', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });
});

describe('queues and topics', () => {
  it.each(['DeadLetterQueue', 'EventsDeadLetterQueue'])(
    '%s keeps messages 14 days, encrypted with the key',
    (queue) => {
      expect(properties(template, queue)).toMatchObject({
        MessageRetentionPeriod: FOURTEEN_DAYS,
        KmsMasterKeyId: { 'Fn::GetAtt': ['DataKey', 'Arn'] },
      });
    },
  );

  it('lets EventBridge deliver undeliverable events only from the event rules of this stack', () => {
    // The transcode watchdog's schedule has no dead-letter queue: a missed run is followed by the next one.
    const ruleNames = resourcesOfType(template, 'AWS::Events::Rule')
      .map(([, rule]) => rule.Properties?.Name)
      .filter((name) => name !== `${PREFIX}-transcode-watchdog`);
    expect(ruleNames.sort()).toEqual([
      `${PREFIX}-publish-execution-stopped`,
      `${PREFIX}-source-object-created`,
      `${PREFIX}-transcode-job-state-change`,
    ]);
    const policy = resourcesOfType(template, 'AWS::SQS::QueuePolicy').find(([, candidate]) =>
      asArray(candidate.Properties?.Queues as unknown[]).some(
        (queue) => describeReference(queue) === 'Ref:EventsDeadLetterQueue',
      ),
    );
    expect(policy).toBeDefined();
    const allows = allPolicyStatements(template).filter(
      (entry) => entry.logicalId === policy![0] && entry.statement.Effect === 'Allow',
    );
    expect(allows).toHaveLength(1);
    const { statement } = allows[0]!;
    expect(statement).toMatchObject({
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: { 'Fn::GetAtt': ['EventsDeadLetterQueue', 'Arn'] },
    });
    const sourceArns = asArray(statement.Condition?.ArnEquals?.['aws:SourceArn'] as unknown[]).map(
      (arn) => (arn as Record<string, string>)['Fn::Sub'],
    );
    expect(sourceArns.map((arn) => arn?.split('rule/')[1]).sort()).toEqual(ruleNames.sort());
  });

  it.each(['NotificationsTopic', 'AlarmTopic'])('%s is encrypted with the key', (topic) => {
    expect(properties(template, topic).KmsMasterKeyId).toEqual({ 'Fn::GetAtt': ['DataKey', 'Arn'] });
  });
});
