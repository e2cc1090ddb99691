import { Readable } from 'node:stream';
import { HttpResponse } from '@smithy/protocol-http';
import { LocalServiceError, type AwsServiceName, type CommandInput, type LocalService } from './local-service';

/** One call through the seam: the request, and the output or the error the local service answered with. */
export type SeamAnswer =
  | { service: AwsServiceName; command: string; input: CommandInput; output: Record<string, unknown> }
  | { service: AwsServiceName; command: string; input: CommandInput; error: unknown };
export type SeamObserver = (answer: SeamAnswer) => void;

/** A test's fault: the error to answer a call with instead of the local service, or undefined to let it through. */
export type SeamFault = (call: { service: AwsServiceName; command: string; input: CommandInput }) => Error | undefined;

const observers = new Set<SeamObserver>();
const faults = new Set<SeamFault>();

/**
 * Lets a test see every call through every seam in this process (to check them against AWS's API models); returns
 * the function that stops it. With no observer the seam does nothing extra.
 */
export function observeSeamAnswers(observer: SeamObserver): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

/**
 * Lets a test answer chosen calls with an error, as the service would in an outage (the reliability suite); returns
 * the function that removes the fault. With no fault set the seam does nothing extra.
 */
export function injectSeamFault(fault: SeamFault): () => void {
  faults.add(fault);
  return () => faults.delete(fault);
}

function injectedFault(service: AwsServiceName, command: string, input: CommandInput): Error | undefined {
  for (const fault of faults) {
    const error = fault({ service, command, input });
    if (error) return error;
  }
  return undefined;
}

/**
 * The one seam of local mode. Every AWS call, whether a function sends it through an SDK client or the state
 * machine through a direct service integration, arrives here as (service, command, input) and is answered by the
 * local implementation of that service. Nothing else knows it is local.
 */
export class LocalSeam {
  private readonly services = new Map<AwsServiceName, LocalService>();

  register(...services: LocalService[]): this {
    for (const service of services) this.services.set(service.service, service);
    return this;
  }

  async call(service: AwsServiceName, command: string, input: CommandInput): Promise<Record<string, unknown>> {
    const local = this.services.get(service);
    if (!local) throw new LocalServiceError('UnknownService', `no local implementation of ${service}`);
    if (observers.size === 0 && faults.size === 0) return local.handle(command, input);
    const report = (answer: SeamAnswer) => {
      for (const observer of observers) observer(answer);
    };
    try {
      const fault = injectedFault(service, command, input);
      if (fault) throw fault;
      const output = await local.handle(command, input);
      report({ service, command, input, output });
      return output;
    } catch (error) {
      report({ service, command, input, error });
      throw error;
    }
  }
}

/** SDK client class names (context.clientName) to the service names of the seam. */
const CLIENT_SERVICES: Record<string, AwsServiceName> = {
  S3Client: 'S3',
  DynamoDBClient: 'DynamoDB',
  SFNClient: 'SFN',
  SQSClient: 'SQS',
  SNSClient: 'SNS',
  MediaConvertClient: 'MediaConvert',
  MediaPackageVodClient: 'MediaPackageVod',
  CloudFrontClient: 'CloudFront',
  SecretsManagerClient: 'SecretsManager',
};

interface MiddlewareContext {
  clientName?: string;
  commandName?: string;
}
type FinalizeHandler = (args: { input: object }) => Promise<{ output: object; response: unknown }>;
type FinalizeMiddleware = (next: FinalizeHandler, context: MiddlewareContext) => FinalizeHandler;

interface WireRequest {
  headers: Record<string, string | undefined>;
  body?: unknown;
}
interface WireHandler {
  handle(request: WireRequest): Promise<{ response: HttpResponse }>;
}

/** The structural part of an SDK v3 client the seam needs (two @smithy copies are installed, so no class import). */
export interface SdkClient {
  config: object;
  middlewareStack: { addRelativeTo(middleware: never, options: never): void };
}
type AddAfterSigning = (
  middleware: FinalizeMiddleware,
  options: { relation: 'after'; toMiddleware: 'awsAuthMiddleware'; name: string },
) => void;

/**
 * Answers every command of `client` locally. The middleware sits right after request signing: the input is what
 * the wire would carry, and a pre-signed URL, which the S3 presigner cuts off before signing, is never answered here
 * but produced exactly as in the cloud. DynamoDB is answered one step lower, on its JSON wire protocol, so that the
 * document client's unmarshalling (which runs on the deserialised response) happens as in the cloud.
 */
export function routeClientToLocal(client: SdkClient, seam: LocalSeam): void {
  (client.config as { requestHandler?: WireHandler }).requestHandler = dynamoDbWire(seam);
  // One seam per client, even when local mode is started again in the same process.
  (client.middlewareStack as unknown as { remove(name: string): boolean }).remove('vodflowLocalSeam');
  const addAfterSigning = client.middlewareStack.addRelativeTo.bind(client.middlewareStack) as AddAfterSigning;
  addAfterSigning(
    (next, context) => async (args) => {
      if (context.clientName === 'DynamoDBClient') return next(args);
      const service = CLIENT_SERVICES[context.clientName ?? ''];
      const command = (context.commandName ?? '').replace(/Command$/, '');
      if (!service) throw new LocalServiceError('UnknownService', `no local service for ${String(context.clientName)}`);
      const output = await seam.call(service, command, args.input as CommandInput);
      return { output: { $metadata: { httpStatusCode: 200 }, ...output }, response: {} };
    },
    { relation: 'after', toMiddleware: 'awsAuthMiddleware', name: 'vodflowLocalSeam' },
  );
}

function jsonResponse(statusCode: number, body: unknown): { response: HttpResponse } {
  return {
    response: new HttpResponse({
      statusCode,
      headers: { 'content-type': 'application/x-amz-json-1.0' },
      body: Readable.from([Buffer.from(JSON.stringify(body))]),
    }),
  };
}

function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  throw new LocalServiceError('SerializationException', 'local DynamoDB expects a JSON request body');
}

/** DynamoDB's awsJson1_0 protocol: `X-Amz-Target: DynamoDB_20120810.<Operation>`, JSON in, JSON out. */
function dynamoDbWire(seam: LocalSeam): WireHandler {
  return {
    async handle(request) {
      const target = request.headers['x-amz-target'] ?? request.headers['X-Amz-Target'] ?? '';
      const command = target.split('.').pop() ?? '';
      try {
        const input = JSON.parse(bodyText(request.body)) as CommandInput;
        return jsonResponse(200, await seam.call('DynamoDB', command, input));
      } catch (error) {
        const { name, message } =
          error instanceof Error ? error : { name: 'InternalServerError', message: String(error) };
        const status = error instanceof LocalServiceError ? error.$metadata.httpStatusCode : 500;
        // Fields an error carries besides its name (Item, CancellationReasons) travel as DynamoDB sends them.
        const extra = Object.fromEntries(
          Object.entries(error instanceof Error ? error : {}).filter(([key]) => !['$fault', '$metadata'].includes(key)),
        );
        return jsonResponse(status, { __type: `com.amazonaws.dynamodb.v20120810#${name}`, message, ...extra });
      }
    },
  };
}
