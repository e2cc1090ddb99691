import { randomUUID } from 'node:crypto';
import { LambdaFunctionError } from './lambda-function-error';
import { functionArn } from './local-stack';
import { stackShape } from './stack-shape';

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
  memoryMb: number;
  load: () => Promise<Handler>;
}

const asHandler = (module: { handler: unknown }): Handler => module.handler as Handler;

/**
 * How each function's handler module is loaded, by its serverless name: static imports, so the CLI's bundle holds
 * them. Modules load on first use, after the runtime has set the environment they read at cold start, exactly as a
 * Lambda container does. Everything else about a function (handler path, timeout, memory) is serverless.yml's.
 */
const LOADERS: Record<string, { module: string; load: () => Promise<Handler> }> = {
  startPublish: {
    module: 'functions/start-publish/handler',
    load: async () => asHandler(await import('../../functions/start-publish/handler')),
  },
  probeSource: {
    module: 'functions/probe-source/handler',
    load: async () => asHandler(await import('../../functions/probe-source/handler')),
  },
  submitTranscode: {
    module: 'functions/submit-transcode/handler',
    load: async () => asHandler(await import('../../functions/submit-transcode/handler')),
  },
  transcodeCallback: {
    module: 'functions/transcode-callback/handler',
    load: async () => asHandler(await import('../../functions/transcode-callback/handler')),
  },
  settleStoppedExecution: {
    module: 'functions/settle-stopped-execution/handler',
    load: async () => asHandler(await import('../../functions/settle-stopped-execution/handler')),
  },
  transcodeWatchdog: {
    module: 'functions/transcode-watchdog/handler',
    load: async () => asHandler(await import('../../functions/transcode-watchdog/handler')),
  },
  registerAsset: {
    module: 'functions/register-asset/handler',
    load: async () => asHandler(await import('../../functions/register-asset/handler')),
  },
  createUpload: {
    module: 'functions/create-upload/handler',
    load: async () => asHandler(await import('../../functions/create-upload/handler')),
  },
  authorizePlayback: {
    module: 'functions/authorize-playback/handler',
    load: async () => asHandler(await import('../../functions/authorize-playback/handler')),
  },
  unpublishVideo: {
    module: 'functions/unpublish-video/handler',
    load: async () => asHandler(await import('../../functions/unpublish-video/handler')),
  },
  redrive: {
    module: 'functions/redrive/handler',
    load: async () => asHandler(await import('../../functions/redrive/handler')),
  },
  listVideos: {
    module: 'functions/list-videos/handler',
    load: async () => asHandler(await import('../../functions/list-videos/handler')),
  },
  getVideo: {
    module: 'functions/get-video/handler',
    load: async () => asHandler(await import('../../functions/get-video/handler')),
  },
};

/** serverless.yml's functions, each with its loader; a function on one side only is a wiring error, said at once. */
function functionDefinitions(): Record<string, FunctionDefinition> {
  const definitions: Record<string, FunctionDefinition> = {};
  const { functions } = stackShape();
  for (const [name, shape] of functions) {
    const loader = LOADERS[name];
    if (loader?.module === undefined || `${loader.module}.handler` !== shape.handler) {
      throw new Error(`local mode has no loader for ${name} (${shape.handler}) of serverless.yml`);
    }
    definitions[name] = { timeoutSeconds: shape.timeoutSeconds, memoryMb: shape.memoryMb, load: loader.load };
  }
  for (const name of Object.keys(LOADERS)) {
    if (!functions.has(name)) throw new Error(`local mode loads ${name}, which serverless.yml does not declare`);
  }
  return definitions;
}

const FUNCTIONS = functionDefinitions();

/** What local mode runs each function with (for the local/cloud agreement test and inspection). */
export function localFunctionSettings(): { name: string; handler: string; timeoutSeconds: number; memoryMb: number }[] {
  return Object.entries(FUNCTIONS).map(([name, definition]) => ({
    name,
    handler: `${LOADERS[name]?.module ?? ''}.handler`,
    timeoutSeconds: definition.timeoutSeconds,
    memoryMb: definition.memoryMb,
  }));
}

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
      memoryLimitInMB: String(definition.memoryMb),
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
