import { randomUUID } from 'node:crypto';
import { LambdaFunctionError } from './lambda-function-error';
import { functionArn } from './local-stack';

export { LambdaFunctionError };

/** The Lambda Node.js runtime's context, as much of it as handlers and middy read. */
export interface LocalLambdaContext {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

type Handler = (event: unknown, context: LocalLambdaContext) => Promise<unknown>;
interface FunctionDefinition {
  timeoutSeconds: number;
  load: () => Promise<Handler>;
}

const asHandler = (module: { handler: unknown }): Handler => module.handler as Handler;

/**
 * The functions of serverless.yml, by their serverless names. Modules load on first use, after the runtime has
 * set the environment they read at cold start, exactly as a Lambda container does.
 */
const FUNCTIONS: Record<string, FunctionDefinition> = {
  startPublish: {
    timeoutSeconds: 6,
    load: async () => asHandler(await import('../../functions/start-publish/handler')),
  },
  probeSource: {
    timeoutSeconds: 60,
    load: async () => asHandler(await import('../../functions/probe-source/handler')),
  },
  submitTranscode: {
    timeoutSeconds: 30,
    load: async () => asHandler(await import('../../functions/submit-transcode/handler')),
  },
  transcodeCallback: {
    timeoutSeconds: 6,
    load: async () => asHandler(await import('../../functions/transcode-callback/handler')),
  },
  settleStoppedExecution: {
    timeoutSeconds: 30,
    load: async () => asHandler(await import('../../functions/settle-stopped-execution/handler')),
  },
  transcodeWatchdog: {
    timeoutSeconds: 60,
    load: async () => asHandler(await import('../../functions/transcode-watchdog/handler')),
  },
  registerAsset: {
    timeoutSeconds: 60,
    load: async () => asHandler(await import('../../functions/register-asset/handler')),
  },
  redrive: { timeoutSeconds: 300, load: async () => asHandler(await import('../../functions/redrive/handler')) },
  createUpload: {
    timeoutSeconds: 10,
    load: async () => asHandler(await import('../../functions/create-upload/handler')),
  },
  listVideos: { timeoutSeconds: 10, load: async () => asHandler(await import('../../functions/list-videos/handler')) },
  getVideo: { timeoutSeconds: 10, load: async () => asHandler(await import('../../functions/get-video/handler')) },
  authorizePlayback: {
    timeoutSeconds: 10,
    load: async () => asHandler(await import('../../functions/authorize-playback/handler')),
  },
  unpublishVideo: {
    timeoutSeconds: 30,
    load: async () => asHandler(await import('../../functions/unpublish-video/handler')),
  },
};

export type FunctionName = keyof typeof FUNCTIONS;

export class LocalLambda {
  private readonly loaded = new Map<string, Promise<Handler>>();
  private readonly byArn = new Map(Object.keys(FUNCTIONS).map((name) => [functionArn(name), name]));

  /** Invokes by ARN or by serverless name, synchronously (RequestResponse). */
  async invoke(nameOrArn: string, event: unknown): Promise<unknown> {
    const name = this.byArn.get(nameOrArn) ?? nameOrArn;
    const definition = FUNCTIONS[name];
    if (!definition) throw new Error(`no local function ${nameOrArn}`);
    let handler = this.loaded.get(name);
    if (!handler) {
      handler = definition.load();
      this.loaded.set(name, handler);
    }
    const deadline = Date.now() + definition.timeoutSeconds * 1000;
    const context: LocalLambdaContext = {
      functionName: name,
      functionVersion: '$LATEST',
      invokedFunctionArn: functionArn(name),
      memoryLimitInMB: '1024',
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${name}`,
      logStreamName: 'local',
      callbackWaitsForEmptyEventLoop: false,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    try {
      return await (
        await handler
      )(structuredClone(event), context);
    } catch (error) {
      throw error instanceof Error ? new LambdaFunctionError(error) : error;
    }
  }
}
