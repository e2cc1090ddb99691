import 'aws-sdk-client-mock-jest';
import {
  ExecutionAlreadyExists,
  ExecutionLimitExceeded,
  SFNClient,
  StartExecutionCommand,
  type StartExecutionCommandInput,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { InvalidEvent } from '../../functions/commons/errors';
import { handler, type ObjectCreatedEvent } from '../../functions/start-publish/handler';
import objectCreated from '../../events/s3/object-created.json';
import objectCreatedEncodedKey from '../../events/s3/object-created-encoded-key.json';
import objectCreatedNoVersion from '../../events/s3/object-created-no-version.json';

type HandlerModule = typeof import('../../functions/start-publish/handler');
type ErrorsModule = typeof import('../../functions/commons/errors');

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:vodflow-dev-publish-video';
const BUCKET = 'vodflow-dev-source-123456789012';
const EXECUTION_NAME = /^[0-9A-Za-z_-]{1,80}$/;

const sfn = mockClient(SFNClient);
let stdout: jest.SpyInstance;

/** A fresh copy of a fixture, optionally with other `detail.object` fields (undefined removes one). */
function eventFrom(fixture: unknown, object: Record<string, unknown> = {}): ObjectCreatedEvent {
  const event = structuredClone(fixture) as { detail: { object: Record<string, unknown> } };
  for (const [field, value] of Object.entries(object)) {
    if (value === undefined) Reflect.deleteProperty(event.detail.object, field);
    else event.detail.object[field] = value;
  }
  return event as unknown as ObjectCreatedEvent;
}

function startInputs(): StartExecutionCommandInput[] {
  return sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
}

function logLines(): Record<string, unknown>[] {
  return stdout.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
}

beforeEach(() => {
  process.env.STATE_MACHINE_ARN = STATE_MACHINE_ARN;
  sfn.reset();
  sfn.on(StartExecutionCommand).callsFake((input: StartExecutionCommandInput) => ({
    executionArn: `arn:aws:states:us-east-1:123456789012:execution:vodflow-dev-publish-video:${String(input.name)}`,
    startDate: new Date('2026-11-21T05:00:01Z'),
  }));
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

afterEach(() => {
  stdout.mockRestore();
});

describe('start-publish', () => {
  it('starts one execution named after the asset and the object version, with the publish request as input', async () => {
    // Prepare
    const event = eventFrom(objectCreated);

    // Act
    const result = await handler(event);

    // Assess
    const executionName = '4f9c2b7e1a6d4e0c9b3a-679a84392cd3582b'; // sha256(bucket\nkey\nversionId), 16 hex
    expect(result).toEqual({
      started: true,
      executionName,
      executionArn: `arn:aws:states:us-east-1:123456789012:execution:vodflow-dev-publish-video:${executionName}`,
    });
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: STATE_MACHINE_ARN,
      name: executionName,
    });
    expect(startInputs()).toEqual([
      {
        stateMachineArn: STATE_MACHINE_ARN,
        name: executionName,
        input: JSON.stringify({
          assetId: '4f9c2b7e1a6d4e0c9b3a',
          publishId: executionName,
          source: {
            bucket: BUCKET,
            key: 'uploads/4f9c2b7e1a6d4e0c9b3a/clip.mp4',
            versionId: 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e',
            etag: '5f363e0e58a95f06cbe9bbc662c5dfb6',
            size: 48213764,
          },
        }),
      },
    ]);
  });

  it('gives the same event the same name and another version of the object another name', async () => {
    // Prepare
    const event = eventFrom(objectCreated);
    const nextVersion = eventFrom(objectCreated, {
      'version-id': 'kP1nYq8r3sT.uV5wX7yZ9aB2cD4eF6gH',
      sequencer: '00673EBE99',
    });

    // Act
    const first = await handler(event);
    const again = await handler(eventFrom(objectCreated));
    const other = await handler(nextVersion);

    // Assess
    const names = startInputs().map((input) => input.name);
    expect(names[0]).toBe(names[1]);
    expect(names[2]).not.toBe(names[0]);
    expect(names[2]).toMatch(/^4f9c2b7e1a6d4e0c9b3a-[0-9a-f]{16}$/);
    expect(again).toEqual(first);
    expect(other).toMatchObject({ started: true, executionName: names[2] });
  });

  it('uses an empty versionId and the ETag for the name when the bucket is unversioned', async () => {
    // Act
    const result = await handler(eventFrom(objectCreatedNoVersion));

    // Assess
    const executionName = '9b2e7d41c0a84f3e8d15-93b7ed9feece5dbc'; // sha256(bucket\nkey\netag), 16 hex
    expect(result).toMatchObject({ started: true, executionName });
    expect(startInputs()).toEqual([
      {
        stateMachineArn: STATE_MACHINE_ARN,
        name: executionName,
        input: JSON.stringify({
          assetId: '9b2e7d41c0a84f3e8d15',
          publishId: executionName,
          source: {
            bucket: BUCKET,
            key: 'uploads/9b2e7d41c0a84f3e8d15/lecture-01.mov',
            versionId: '',
            etag: 'a7d2c0f3b8e14e6f9c1d2b3a4e5f6071-88',
            size: 734003200,
          },
        }),
      },
    ]);
  });

  it('decodes the form-encoded key and derives the asset id from bucket and key outside uploads/', async () => {
    // Act
    const result = await handler(eventFrom(objectCreatedEncodedKey));

    // Assess
    const assetId = 'af9ac6c13d3b9ca7dc50c70e8'; // 'a' + sha256(bucket/key), 24 hex
    const executionName = `${assetId}-c8c7e26cde7124cc`;
    expect(result).toMatchObject({ started: true, executionName });
    expect(startInputs()).toEqual([
      {
        stateMachineArn: STATE_MACHINE_ARN,
        name: executionName,
        input: JSON.stringify({
          assetId,
          publishId: executionName,
          source: {
            bucket: BUCKET,
            key: 'imports/Summer Trip/Beach Day #1 + sunset (café).mov',
            versionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
            etag: '0f343b0931126a20f133d67c2b018a3b',
            size: 10485760,
          },
        }),
      },
    ]);
  });

  it('republishes the same asset when the same key outside uploads/ is uploaded again', async () => {
    // Prepare
    const reupload = eventFrom(objectCreatedEncodedKey, {
      'version-id': 'x2Yz.NEWVERSION.9876543210abcdef',
      etag: 'ffe1',
    });

    // Act
    await handler(eventFrom(objectCreatedEncodedKey));
    await handler(reupload);

    // Assess
    const [first, second] = startInputs().map(
      (input) => JSON.parse(String(input.input)) as { assetId: string; publishId: string },
    );
    expect(second?.assetId).toBe(first?.assetId);
    expect(second?.publishId).not.toBe(first?.publishId);
  });

  it.each([
    ['uploads/short/clip.mp4', 'an id shorter than 8 characters'],
    ['uploads/4f9c2b7e1a6d4e0c9b3a/nested/clip.mp4', 'a deeper path'],
    ['uploads/4f9c2b7e.1a6d4e0c9b3a/clip.mp4', 'an id with a dot'],
    ['archive/uploads/4f9c2b7e1a6d4e0c9b3a/clip.mp4', 'uploads/ not at the start'],
  ])('derives the asset id from a hash for %s (%s)', async (key) => {
    // Act
    await handler(eventFrom(objectCreated, { key }));

    // Assess
    const input = JSON.parse(String(startInputs()[0]?.input)) as { assetId: string };
    expect(input.assetId).toMatch(/^a[0-9a-f]{24}$/);
  });

  it('keeps the name within 80 characters of 0-9A-Za-z-_ for a very long, strange key', async () => {
    // Prepare
    const strangeName = 'Ünïcødé 🎬 [draft] {v2} <final>?*|~`$&,;:"\\^'.repeat(20);
    const strange = `${strangeName}/../clip name.mp4`;
    const longestUploadId = 'A'.repeat(40);
    const events = [
      eventFrom(objectCreated, { key: encodeURIComponent(strange).replace(/%20/g, '+') }),
      eventFrom(objectCreated, { key: `uploads/${longestUploadId}/${encodeURIComponent(strangeName)}` }),
    ];

    // Act
    for (const event of events) await handler(event);

    // Assess
    const [hashed, fromUpload] = startInputs();
    expect(hashed?.name).toMatch(EXECUTION_NAME);
    expect(fromUpload?.name).toMatch(EXECUTION_NAME);
    expect(fromUpload?.name).toHaveLength(57);
    expect(JSON.parse(String(hashed?.input))).toMatchObject({ source: { key: strange } });
  });

  it('treats ExecutionAlreadyExists as a duplicate event: no error, started false', async () => {
    // Prepare
    sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));

    // Act
    const result = await handler(eventFrom(objectCreated));

    // Assess
    expect(result).toEqual({ started: false, executionName: '4f9c2b7e1a6d4e0c9b3a-679a84392cd3582b' });
    expect(logLines()).toContainEqual(
      expect.objectContaining({
        level: 'info',
        message: 'duplicate event, execution exists',
        assetId: '4f9c2b7e1a6d4e0c9b3a',
      }),
    );
  });

  it('throws any other Step Functions error so that EventBridge retries the event', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(new ExecutionLimitExceeded({ message: 'limit', $metadata: {} }));

    // Act
    const result = handler(eventFrom(objectCreated));

    // Assess
    await expect(result).rejects.toThrow(ExecutionLimitExceeded);
  });

  it('ignores a folder placeholder without starting anything', async () => {
    // Act
    const result = await handler(eventFrom(objectCreated, { key: 'uploads/4f9c2b7e1a6d4e0c9b3a/', size: 0 }));

    // Assess
    expect(result).toEqual({ started: false, ignored: 'folder' });
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(logLines()).toContainEqual(expect.objectContaining({ message: 'folder placeholder ignored' }));
  });

  it.each<[string, (event: { detail: Record<string, unknown> & { object: Record<string, unknown> } }) => void]>([
    ['no bucket', (event) => Reflect.deleteProperty(event.detail, 'bucket')],
    ['no key', (event) => Reflect.deleteProperty(event.detail.object, 'key')],
    ['no size', (event) => Reflect.deleteProperty(event.detail.object, 'size')],
    ['a key that is not URL-encoded', (event) => (event.detail.object.key = 'uploads/%E0%A4%A/clip.mp4')],
    ['another detail-type', (event) => ((event as Record<string, unknown>)['detail-type'] = 'Object Deleted')],
  ])('rejects an event with %s as InvalidEvent and starts nothing', async (_, breakEvent) => {
    // Prepare
    const event = structuredClone(objectCreated);
    breakEvent(event);

    // Act
    const result = handler(event as unknown as ObjectCreatedEvent);

    // Assess
    await expect(result).rejects.toThrow(InvalidEvent);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('fails with MissingConfiguration when STATE_MACHINE_ARN is not set', async () => {
    // Prepare: a fresh module registry, so that no earlier invocation has read the configuration yet
    delete process.env.STATE_MACHINE_ARN;
    let fresh: HandlerModule | undefined;
    let errors: ErrorsModule | undefined;
    jest.isolateModules(() => {
      fresh = jest.requireActual<HandlerModule>('../../functions/start-publish/handler');
      errors = jest.requireActual<ErrorsModule>('../../functions/commons/errors');
    });

    // Act
    const result = fresh!.handler(eventFrom(objectCreated));

    // Assess (the fresh module throws the fresh registry's MissingConfiguration class)
    await expect(result).rejects.toThrow(errors!.MissingConfiguration);
    await expect(result).rejects.toThrow('environment variable STATE_MACHINE_ARN is not set');
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });
});
