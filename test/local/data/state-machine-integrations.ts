import type { LocalService } from '../../../local/seam/local-service';
import type { PublishVideoWorld } from '../../support/publish-video-world';

/** Direct service integrations of the ASL and the API call each one makes. */
const INTEGRATIONS: Record<string, { service: string; command: string; serialised?: string }> = {
  'arn:aws:states:::dynamodb:updateItem': { service: 'DynamoDB', command: 'UpdateItem' },
  'arn:aws:states:::sns:publish': { service: 'SNS', command: 'Publish', serialised: 'Message' },
  'arn:aws:states:::sqs:sendMessage': { service: 'SQS', command: 'SendMessage', serialised: 'MessageBody' },
};

/**
 * Answers the machine's DynamoDB, SNS and SQS Task states with the local services, the way Step Functions' optimized
 * integrations call the APIs: a JSON Message/MessageBody is serialised to a string first, and an API error reaches
 * the machine as `<Service>.<ErrorName>` (what the ASL's Retry and Catch match).
 */
export function answerIntegrationsLocally(world: PublishVideoWorld, services: LocalService[]): PublishVideoWorld {
  const states = world.definition.States as Record<string, { Type?: string; Resource?: unknown }>;
  for (const [name, state] of Object.entries(states)) {
    const integration = typeof state.Resource === 'string' ? INTEGRATIONS[state.Resource] : undefined;
    if (!integration) continue;
    const service = services.find((candidate) => candidate.service === integration.service);
    if (!service) throw new Error(`no local ${integration.service} for state ${name}`);
    world.answer(name, async (params) => {
      const request = { ...params };
      const field = integration.serialised;
      if (field !== undefined && typeof request[field] === 'object') request[field] = JSON.stringify(request[field]);
      try {
        return await service.handle(integration.command, request);
      } catch (error) {
        if (error instanceof Error) error.name = `${integration.service}.${error.name}`;
        throw error;
      }
    });
  }
  return world;
}
