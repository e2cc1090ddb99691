import '../support/function-env';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import type { PublishRequest } from '../../functions/commons/types';
import { handler, type ObjectCreatedEvent } from '../../functions/start-publish/handler';
import objectCreated from '../../events/s3/object-created.json';
import { STATE_MACHINE_ARN } from '../support/publish-video-definition';
import { PublishVideoWorld } from '../support/publish-video-world';

process.env.STATE_MACHINE_ARN = STATE_MACHINE_ARN;
const sfn = mockClient(SFNClient);

/**
 * Step Functions' naming rule, as the service applies it to a Standard workflow: a name that already ran (and has
 * closed) cannot start again. Every execution the start function manages to start runs the real ASL.
 */
function stepFunctionsWithExecutionNames(world: PublishVideoWorld): Promise<unknown>[] {
  const names = new Set<string>();
  const runs: Promise<unknown>[] = [];
  sfn.on(StartExecutionCommand).callsFake((input: { name: string; input: string }) => {
    if (names.has(input.name)) {
      throw new ExecutionAlreadyExists({ message: `Execution Already Exists: '${input.name}'`, $metadata: {} });
    }
    names.add(input.name);
    runs.push(world.start(JSON.parse(input.input) as PublishRequest));
    return { executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${input.name}` };
  });
  return runs;
}

describe('duplicate S3 events', () => {
  beforeEach(() => {
    sfn.reset();
  });

  it('start one execution and publish once, however often the same object version is announced', async () => {
    // Prepare
    const world = new PublishVideoWorld();
    const runs = stepFunctionsWithExecutionNames(world);
    const event = objectCreated as unknown as ObjectCreatedEvent;

    // Act: EventBridge delivers at least once; a retry or a replay delivers the same event again
    const results = [await handler(event), await handler(event), await handler(structuredClone(event))];
    await Promise.all(runs);

    // Assess
    expect(results.map((result) => result.started)).toEqual([true, false, false]);
    expect(runs).toHaveLength(1);
    expect(world.published()).toHaveLength(1);
    expect(world.item('4f9c2b7e1a6d4e0c9b3a')).toMatchObject({ status: 'READY', version: 1 });
  });

  it('publishes again for a new version of the same object, as the same asset', async () => {
    const world = new PublishVideoWorld();
    const runs = stepFunctionsWithExecutionNames(world);
    const first = objectCreated as unknown as ObjectCreatedEvent;
    const second = structuredClone(first);
    second.detail.object['version-id'] = 'a-newer-version';
    second.detail.object.etag = '0cc175b9c0f1b6a831c399e269772661';

    await handler(first);
    await Promise.all(runs);
    await handler(second);
    await Promise.all(runs);

    expect(runs).toHaveLength(2);
    expect(world.published()).toHaveLength(2);
    expect(world.item('4f9c2b7e1a6d4e0c9b3a')).toMatchObject({ status: 'READY', version: 2 });
  });
});
