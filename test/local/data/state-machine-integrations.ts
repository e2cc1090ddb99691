import { LocalSeam } from '../../../local/seam/local-seam';
import type { LocalService } from '../../../local/seam/local-service';
import type { JsonObject } from '../../../local/step-functions/load-definition';
import { runTask } from '../../../local/step-functions/run-task';
import { TaskTokens } from '../../../local/step-functions/task-tokens';
import type { PublishVideoWorld } from '../../support/publish-video-world';

/**
 * Answers the machine's DynamoDB, SNS and SQS Task states with the local services, through local mode's own
 * integration layer (`runTask`): a JSON Message/MessageBody serialised first, an API error reaching the machine as
 * `<Service>.<ErrorName>`, as Step Functions' optimized integrations do.
 */
export function answerIntegrationsLocally(world: PublishVideoWorld, services: LocalService[]): PublishVideoWorld {
  const seam = new LocalSeam().register(...services);
  const tokens = new TaskTokens();
  const states = world.definition.States as Record<string, JsonObject>;
  for (const [name, state] of Object.entries(states)) {
    const resource = typeof state.Resource === 'string' ? state.Resource : '';
    if (!/^arn:aws:states:::(dynamodb|sns|sqs):/.test(resource)) continue;
    world.answer(name, (params) =>
      runTask({ executionArn: world.executionArn, state, tokens, placeholder: '' }, params as JsonObject, {
        invoke: () => Promise.reject(new Error(`state ${name} invokes no function`)),
        call: (service, command, input) => seam.call(service, command, input),
      }),
    );
  }
  return world;
}
