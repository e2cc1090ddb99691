import {
  asArray,
  type CfnTemplate,
  describeReference,
  packageStack,
  PREFIX,
  properties,
  resourcesOfType,
} from '../support/cloudformation';

let template: CfnTemplate;

beforeAll(async () => {
  ({ template } = await packageStack());
}, 180_000);

interface RuleTarget {
  Arn: unknown;
  RetryPolicy?: { MaximumEventAgeInSeconds: number; MaximumRetryAttempts: number };
  DeadLetterConfig?: { Arn: unknown };
}

function ruleNamed(name: string): {
  pattern: Record<string, unknown>;
  targets: RuleTarget[];
  props: Record<string, unknown>;
} {
  const rules = resourcesOfType(template, 'AWS::Events::Rule').filter(([, rule]) => rule.Properties?.Name === name);
  expect(rules).toHaveLength(1);
  const props = rules[0]![1].Properties ?? {};
  return { pattern: props.EventPattern as Record<string, unknown>, targets: props.Targets as RuleTarget[], props };
}

describe('EventBridge rules', () => {
  it('starts a publish for objects created in the source bucket only', () => {
    const { pattern, targets, props } = ruleNamed(`${PREFIX}-source-object-created`);
    expect(props.EventBusName).toBeUndefined(); // the default bus, where S3 sends its events
    expect(pattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { bucket: { name: [{ Ref: 'SourceBucket' }] } },
    });
    expect(targets).toHaveLength(1);
    expect(describeReference(targets[0]!.Arn)).toBe('GetAtt:StartPublishLambdaFunction.Arn');
    expect(targets[0]!.RetryPolicy).toBeDefined();
    expect(describeReference(targets[0]!.DeadLetterConfig?.Arn)).toBe('GetAtt:EventsDeadLetterQueue.Arn');
  });

  it('calls back only for state changes of this queue’s jobs that carry a correlation id', () => {
    const { pattern, targets } = ruleNamed(`${PREFIX}-transcode-job-state-change`);
    expect(pattern).toEqual({
      source: ['aws.mediaconvert'],
      'detail-type': ['MediaConvert Job State Change'],
      detail: {
        status: ['STATUS_UPDATE', 'COMPLETE', 'ERROR', 'CANCELED'],
        queue: [{ 'Fn::GetAtt': ['TranscodeQueue', 'Arn'] }],
        userMetadata: { correlationId: [{ exists: true }] },
      },
    });
    expect(targets).toHaveLength(1);
    expect(describeReference(targets[0]!.Arn)).toBe('GetAtt:TranscodeCallbackLambdaFunction.Arn');
    expect(targets[0]!.RetryPolicy).toBeDefined();
    expect(describeReference(targets[0]!.DeadLetterConfig?.Arn)).toBe('GetAtt:EventsDeadLetterQueue.Arn');
  });

  it("settles every publish-video execution that stops FAILED, TIMED_OUT or ABORTED, and no other machine's", () => {
    const { pattern, targets } = ruleNamed(`${PREFIX}-publish-execution-stopped`);
    expect(pattern).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: {
        status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
        stateMachineArn: [{ Ref: 'PublishVideoStateMachine' }],
      },
    });
    expect(targets).toHaveLength(1);
    expect(describeReference(targets[0]!.Arn)).toBe('GetAtt:SettleStoppedExecutionLambdaFunction.Arn');
    expect(describeReference(targets[0]!.DeadLetterConfig?.Arn)).toBe('GetAtt:EventsDeadLetterQueue.Arn');
  });

  it('lets EventBridge invoke the three event handlers and parks their failed invocations in the events DLQ', () => {
    const permissions = resourcesOfType(template, 'AWS::Lambda::Permission').map(([, permission]) => [
      describeReference(permission.Properties?.FunctionName),
      permission.Properties?.Principal,
    ]);
    expect(permissions).toEqual(
      expect.arrayContaining([
        ['GetAtt:StartPublishLambdaFunction.Arn', 'events.amazonaws.com'],
        ['GetAtt:TranscodeCallbackLambdaFunction.Arn', 'events.amazonaws.com'],
        ['GetAtt:SettleStoppedExecutionLambdaFunction.Arn', 'events.amazonaws.com'],
      ]),
    );
    const onFailure = resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig').map(([, config]) => [
      describeReference(config.Properties?.FunctionName),
      describeReference(
        (config.Properties?.DestinationConfig as { OnFailure: { Destination: unknown } }).OnFailure.Destination,
      ),
    ]);
    expect(onFailure.sort()).toEqual([
      ['Ref:SettleStoppedExecutionLambdaFunction', 'GetAtt:EventsDeadLetterQueue.Arn'],
      ['Ref:StartPublishLambdaFunction', 'GetAtt:EventsDeadLetterQueue.Arn'],
      ['Ref:TranscodeCallbackLambdaFunction', 'GetAtt:EventsDeadLetterQueue.Arn'],
    ]);
  });
});

describe('transcode watchdog', () => {
  it('runs every 5 minutes, well inside the Transcode state’s HeartbeatSeconds, and alarms when it fails', () => {
    const { pattern, targets, props } = ruleNamed(`${PREFIX}-transcode-watchdog`);
    expect(pattern).toBeUndefined();
    expect(props.ScheduleExpression).toBe('rate(5 minutes)');
    expect(targets).toHaveLength(1);
    expect(describeReference(targets[0]!.Arn)).toBe('GetAtt:TranscodeWatchdogLambdaFunction.Arn');
    const alarm = properties(template, 'TranscodeWatchdogErrorsAlarm');
    expect(alarm).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'TranscodeWatchdogLambdaFunction' } }],
    });
  });
});

describe('operator alarms', () => {
  const alarms = () =>
    resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([logicalId, alarm]) => ({
      logicalId,
      props: alarm.Properties ?? {},
    }));

  function alarmOn(namespace: string, metric: string, dimension: { Name: string; Value: unknown }) {
    const matching = alarms().filter(
      ({ props }) =>
        props.Namespace === namespace &&
        props.MetricName === metric &&
        JSON.stringify(props.Dimensions) === JSON.stringify([dimension]),
    );
    expect(matching).toHaveLength(1);
    return matching[0]!.props;
  }

  it.each(['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'])(
    'pages on the first %s of the state machine within 5 minutes',
    (metric) => {
      expect(
        alarmOn('AWS/States', metric, { Name: 'StateMachineArn', Value: { Ref: 'PublishVideoStateMachine' } }),
      ).toMatchObject({
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    },
  );

  it.each(['DeadLetterQueue', 'EventsDeadLetterQueue'])('pages as soon as %s holds a message', (queue) => {
    expect(
      alarmOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible', {
        Name: 'QueueName',
        Value: { 'Fn::GetAtt': [queue, 'QueueName'] },
      }),
    ).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', Period: 300 });
  });

  it('sends every alarm to the operators’ topic, whose name lets the topic policy admit it', () => {
    expect(alarms()).toHaveLength(6);
    for (const { logicalId, props } of alarms()) {
      expect({ logicalId, actions: asArray(props.AlarmActions as unknown[]) }).toEqual({
        logicalId,
        actions: [{ Ref: 'AlarmTopic' }],
      });
      expect(String(props.AlarmName)).toMatch(new RegExp(`^${PREFIX}-`));
    }
    expect(properties(template, 'AlarmTopic').KmsMasterKeyId).toEqual({ 'Fn::GetAtt': ['DataKey', 'Arn'] });
  });
});
