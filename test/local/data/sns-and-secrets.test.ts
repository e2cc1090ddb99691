import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { LocalSns, type PublishedMessage } from '../../../local/services/sns/local-sns';
import { LocalSecretsManager, localSecretArn } from '../../../local/services/secrets-manager/local-secrets-manager';
import { localSecretsClient, localSnsClient, temporaryDataDir } from './local-data-wiring';

const TOPIC = {
  name: 'vodflow-local-notifications',
  arn: 'arn:aws:sns:us-east-1:000000000000:vodflow-local-notifications',
};
const TopicArn = TOPIC.arn;

describe('local SNS', () => {
  let dataDir: string;
  let cleanup: () => void;
  let local: LocalSns;
  let sns: SNSClient;
  const start = () => {
    local = new LocalSns({ dataDir, topics: [TOPIC] });
    sns = localSnsClient(local);
  };

  beforeEach(() => {
    ({ dataDir, cleanup } = temporaryDataDir());
    start();
  });
  afterEach(() => {
    cleanup();
  });

  it('publishes to a topic: message id, log, and listeners', async () => {
    const received: PublishedMessage[] = [];
    const unsubscribe = local.subscribe(TopicArn, (message) => {
      received.push(message);
    });

    const { MessageId } = await sns.send(
      new PublishCommand({
        TopicArn,
        Subject: 'vodflow video published',
        Message: '{"event":"video.published"}',
        MessageAttributes: { event: { DataType: 'String', StringValue: 'video.published' } },
      }),
    );
    unsubscribe();
    await sns.send(new PublishCommand({ TopicArn, Message: 'after unsubscribe' }));

    expect(MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(received).toEqual([
      {
        messageId: MessageId,
        topicArn: TopicArn,
        subject: 'vodflow video published',
        message: '{"event":"video.published"}',
        messageAttributes: { event: { DataType: 'String', StringValue: 'video.published' } },
        publishedAt: expect.any(String) as unknown,
      },
    ]);
    expect(local.messages(TOPIC.name).map((message) => message.message)).toEqual([
      '{"event":"video.published"}',
      'after unsubscribe',
    ]);
  });

  it('keeps the log across a restart and appends after it', async () => {
    await sns.send(new PublishCommand({ TopicArn, Message: 'one' }));
    start();
    await sns.send(new PublishCommand({ TopicArn, Message: 'two' }));
    start();

    expect(local.messages(TOPIC.name).map((message) => message.message)).toEqual(['one', 'two']);
  });

  it('a failing listener does not fail the publish', async () => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    local.subscribe(TopicArn, () => {
      throw new Error('listener broke');
    });

    await expect(sns.send(new PublishCommand({ TopicArn, Message: 'x' }))).resolves.toHaveProperty('MessageId');
    expect(stderr).toHaveBeenCalledWith(expect.stringContaining('listener broke'));
    stderr.mockRestore();
  });

  it('accepts a JSON message structure with a default entry only', async () => {
    await sns.send(new PublishCommand({ TopicArn, MessageStructure: 'json', Message: '{"default":"hello"}' }));

    await expect(
      sns.send(new PublishCommand({ TopicArn, MessageStructure: 'json', Message: '{"email":"x"}' })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'Invalid parameter: Message Structure - No default entry in JSON message body',
    });
    expect(local.messages(TOPIC.name)[0]?.messageStructure).toBe('json');
  });

  // https://docs.aws.amazon.com/sns/latest/api/API_MessageAttributeValue.html
  it('counts message attributes (name, type, value) against the 256 KiB message size', async () => {
    const attribute = { event: { DataType: 'String', StringValue: 'READY' } };
    const attributeBytes = 'event'.length + 'String'.length + 'READY'.length;

    await sns.send(new PublishCommand({ TopicArn, Message: 'x'.repeat(262_144) }));
    await sns.send(
      new PublishCommand({ TopicArn, Message: 'x'.repeat(262_144 - attributeBytes), MessageAttributes: attribute }),
    );
    await expect(
      sns.send(
        new PublishCommand({ TopicArn, Message: 'x'.repeat(262_145 - attributeBytes), MessageAttributes: attribute }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException', message: 'Invalid parameter: Message too long' });
    await expect(sns.send(new PublishCommand({ TopicArn, Message: 'é'.repeat(131_073) }))).rejects.toThrow(
      'Message too long',
    );
  });

  // https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html (10 is a limit of raw delivery to SQS only)
  it('publishes more than 10 message attributes', async () => {
    const attributes = Object.fromEntries(
      Array.from({ length: 12 }, (_, index) => [`a${String(index)}`, { DataType: 'String', StringValue: 'v' }]),
    );

    await sns.send(new PublishCommand({ TopicArn, Message: 'x', MessageAttributes: attributes }));

    expect(Object.keys(local.messages(TOPIC.name).at(-1)?.messageAttributes ?? {})).toHaveLength(12);
  });

  it('refuses unknown topics and bad input with the names SNS uses', async () => {
    await expect(sns.send(new PublishCommand({ TopicArn: `${TopicArn}-nope`, Message: 'x' }))).rejects.toMatchObject({
      name: 'NotFoundException',
      message: 'Topic does not exist',
    });
    await expect(sns.send(new PublishCommand({ TopicArn, Message: '' }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'Invalid parameter: Empty message',
    });
    await expect(
      sns.send(new PublishCommand({ TopicArn, Message: 'x', Subject: 'line\nbreak' })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
    await expect(
      sns.send(
        new PublishCommand({
          TopicArn,
          Message: 'x',
          MessageAttributes: { n: { DataType: 'Number', StringValue: 'ten' } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    for (const name of ['AWS.trace', 'amazon.x', '.lead', 'trail.', 'two..dots', 'sp ace', 'n'.repeat(257)]) {
      await expect(
        sns.send(
          new PublishCommand({
            TopicArn,
            Message: 'x',
            MessageAttributes: { [name]: { DataType: 'String', StringValue: 'v' } },
          }),
        ),
      ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    }
    expect(() => local.subscribe(`${TopicArn}-nope`, () => undefined)).toThrow('Topic does not exist');
    expect(local.messages(TOPIC.name)).toEqual([]);
  });
});

describe('local Secrets Manager', () => {
  const name = 'vodflow-local/cloudfront-signing-key';
  const local = new LocalSecretsManager({ secrets: [{ name, secretString: '-----BEGIN PRIVATE KEY-----\nlocal\n' }] });
  const secrets = localSecretsClient(local);

  it('answers GetSecretValue by name, by ARN and by partial ARN', async () => {
    const arn = localSecretArn(name);
    const byName = await secrets.send(new GetSecretValueCommand({ SecretId: name }));
    const byArn = await secrets.send(new GetSecretValueCommand({ SecretId: arn }));
    const byPartialArn = await secrets.send(new GetSecretValueCommand({ SecretId: arn.slice(0, -7) }));

    expect(arn).toMatch(
      /^arn:aws:secretsmanager:us-east-1:000000000000:secret:vodflow-local\/cloudfront-signing-key-[A-Za-z0-9]{6}$/,
    );
    expect(byName).toMatchObject({
      ARN: arn,
      Name: name,
      SecretString: '-----BEGIN PRIVATE KEY-----\nlocal\n',
      VersionId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/) as unknown,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: expect.any(Date) as unknown,
    });
    expect(byArn.SecretString).toBe(byName.SecretString);
    expect(byPartialArn.ARN).toBe(arn);
  });

  it('answers ResourceNotFoundException for an unknown secret, version or stage', async () => {
    await expect(secrets.send(new GetSecretValueCommand({ SecretId: 'other' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret.",
    });
    await expect(
      secrets.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(secrets.send(new GetSecretValueCommand({ SecretId: name, VersionId: 'nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});
