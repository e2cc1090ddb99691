import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { StateMachine } from 'aws-local-stepfunctions';
import type { PackagingResult, PublishRequest, SourceMedia, TranscodeResult } from '../../functions/commons/types';
import { lambdaErrorEnvelope } from './lambda-function-error';
import { loadPublishVideoDefinition, STATE_MACHINE_ARN, type Json } from './publish-video-definition';

/**
 * A small, honest model of the AWS services the publish-video machine calls, for running the real ASL file with
 * aws-local-stepfunctions: the catalogue applies the machine's SET/REMOVE values and its ownership condition, the
 * queue and topic keep what they receive, and any state can be told to fail with a given error a number of times.
 * Redrive follows the documented semantics: the execution restarts at the state that failed, with that state's
 * original input, RedriveCount one higher, and the same execution ARN.
 */

export type CatalogueItem = Record<string, unknown>;
export interface SentMessage {
  body: Record<string, unknown>;
  attributes: Record<string, unknown>;
}
export interface Notification {
  message: Record<string, unknown>;
  attributes: Record<string, { StringValue?: string }>;
  subject?: string;
}
export interface Injected {
  error: string;
  cause?: string;
  /** How many calls fail before the state behaves again; Infinity for "always". */
  times: number;
}
export type StateHandler = (input: Record<string, unknown>) => Promise<unknown>;

interface StateEvent {
  type: string;
  state?: { name: string; input: unknown };
  Error?: string;
  Cause?: string;
}

export interface RunOutcome {
  status: 'SUCCEEDED' | 'FAILED';
  output?: Record<string, unknown>;
  error?: string;
  /** States entered, in order (each one a state transition on AWS). */
  entered: string[];
  retried: string[];
  events: StateEvent[];
}

export const SAMPLE_REQUEST: PublishRequest = {
  assetId: '4f9c2b7e1a6d4e0c9b3a',
  publishId: '4f9c2b7e1a6d4e0c9b3a-0123456789abcdef',
  source: {
    bucket: 'vodflow-test-source',
    key: 'uploads/4f9c2b7e1a6d4e0c9b3a/clip.mp4',
    versionId: '3HL4kqtJlcpXroDTDmjVBH40Nrjfkd',
    etag: 'd41d8cd98f00b204e9800998ecf8427e',
    size: 73_400_320,
  },
};

export const SAMPLE_MEDIA: SourceMedia = {
  durationSeconds: 30.03,
  width: 1920,
  height: 1080,
  frameRate: 29.97,
  videoCodec: 'AVC',
  hasAudio: true,
  audioCodec: 'AAC',
  container: 'mp4',
};

const media = `s3://vodflow-test-media/assets/${SAMPLE_REQUEST.assetId}/${SAMPLE_REQUEST.publishId}`;
export const SAMPLE_TRANSCODE: TranscodeResult = {
  jobId: '1700000000000-abc123',
  mp4Files: [`${media}/mp4/index_1080p.mp4`],
  audioLanguage: 'und',
  poster: `${media}/images/index_poster.0000001.jpg`,
  trickplay: {
    lastCapture: `${media}/images/index_thumbnails.0000005.jpg`,
    intervalSeconds: 6,
    width: 320,
    height: 180,
  },
  durationSeconds: 30.03,
  renditions: [{ name: '1080p', width: 1920, height: 1080, maxBitrate: 6_000_000, codec: 'h264' }],
  renditionsAttribute: {
    L: [
      {
        M: {
          name: { S: '1080p' },
          width: { N: '1920' },
          height: { N: '1080' },
          maxBitrate: { N: '6000000' },
          codec: { S: 'h264' },
        },
      },
    ],
  },
};

const cdn = 'https://d111111abcdef8.cloudfront.net';
export const SAMPLE_PACKAGING: PackagingResult = {
  mediaPackageAssetId: SAMPLE_REQUEST.publishId,
  playback: { hls: `${cdn}/out/v1/a1/b2/c3/index.m3u8`, dash: `${cdn}/out/v1/a1/d4/e5/index.mpd` },
  thumbnails: { poster: `${cdn}/assets/x/poster.jpg`, trickplay: `${cdn}/assets/x/index_thumbnails.vtt` },
  invalidationPaths: ['/out/v1/a1/b2/c3/*', '/out/v1/a1/d4/e5/*', `/assets/${SAMPLE_REQUEST.assetId}/*`],
};

/** The Task states of the machine, in the order of the happy path. */
export const HAPPY_PATH = [
  'ProbeSource',
  'RecordAsset',
  'Transcode',
  'RegisterAsset',
  'InvalidateCache',
  'MarkPublished',
  'NotifyPublished',
] as const;
export type Step = (typeof HAPPY_PATH)[number];
const LAMBDA_STATES: readonly string[] = ['ProbeSource', 'Transcode', 'RegisterAsset'];

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

export class PublishVideoWorld {
  readonly catalogue = new Map<string, CatalogueItem>();
  readonly deadLetters: SentMessage[] = [];
  readonly notifications: Notification[] = [];
  readonly invalidations: Record<string, unknown>[] = [];
  /** Every request a state sent, as Step Functions resolved its Parameters. */
  readonly requests: { state: string; params: Record<string, unknown> }[] = [];
  readonly executionArn = `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${SAMPLE_REQUEST.publishId}`;
  private readonly injected = new Map<string, Injected>();
  private readonly overrides = new Map<string, StateHandler>();
  private redriveCount = 0;
  private lastFailure?: { state: string; input: unknown };
  definition = loadPublishVideoDefinition();

  /** Makes `state` fail with `error` for its next `times` calls. */
  fail(state: string, error: string, times = Infinity, cause = `injected ${error}`): this {
    this.injected.set(state, { error, cause, times });
    return this;
  }

  /** ProbeSource's function rejects the source: SourceRejected, reported the way Lambda reports function errors. */
  reject(message: string): this {
    const trace = `SourceRejected: ${message}\n    at describeSourceMedia (/var/task/handler.js:1:1)`;
    return this.fail('ProbeSource', 'SourceRejected', Infinity, lambdaErrorEnvelope('SourceRejected', message, trace));
  }

  /** Replaces what a state's service answers. */
  answer(state: string, handler: StateHandler): this {
    this.overrides.set(state, handler);
    return this;
  }

  heal(state: string): this {
    this.injected.delete(state);
    return this;
  }

  /** Shortens a state's TimeoutSeconds so a "never answers" callback times out within the test. */
  withTimeout(state: string, seconds: number): this {
    const states = this.definition.States as Record<string, Record<string, Json>>;
    const target = states[state];
    if (!target) throw new Error(`no state ${state}`);
    target.TimeoutSeconds = seconds;
    delete target.HeartbeatSeconds;
    return this;
  }

  async start(input: PublishRequest = SAMPLE_REQUEST): Promise<RunOutcome> {
    return this.execute(this.definition, input);
  }

  /** RedriveExecution: restart at the failed state with its original input and RedriveCount + 1. */
  async redrive(): Promise<RunOutcome> {
    if (!this.lastFailure) throw new Error('nothing to redrive: the last run did not fail');
    this.redriveCount += 1;
    const { state, input } = this.lastFailure;
    return this.execute({ ...this.definition, StartAt: state }, input);
  }

  /** The requests that reached the machine's Lambda states, in order. */
  get lambdaCalls(): { state: string; input: Record<string, unknown> }[] {
    return this.requests
      .filter((request) => LAMBDA_STATES.includes(request.state))
      .map((request) => ({ state: request.state, input: request.params }));
  }

  item(assetId = SAMPLE_REQUEST.assetId): CatalogueItem {
    const item = this.catalogue.get(assetId);
    if (!item) throw new Error(`no catalogue item ${assetId}`);
    return item;
  }

  published(): Notification[] {
    return this.notifications.filter((n) => n.attributes.event?.StringValue === 'video.published');
  }

  private async execute(definition: Record<string, Json>, input: unknown): Promise<RunOutcome> {
    const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false, checkPaths: true } });
    const stateNames = Object.keys(definition.States as Record<string, unknown>);
    const execution = machine.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: Object.fromEntries(
          stateNames.map((name) => [
            name,
            async (params: unknown) => (await this.call(name, params as Record<string, unknown>)) as Json,
          ]),
        ),
        retryIntervalOverrides: Object.fromEntries(stateNames.map((name) => [name, 0])),
      },
      context: {
        Execution: {
          Id: this.executionArn,
          Name: SAMPLE_REQUEST.publishId,
          RedriveCount: this.redriveCount,
          StartTime: '2026-11-21T05:00:00.000Z',
        },
        StateMachine: { Id: STATE_MACHINE_ARN, Name: 'vodflow-test-publish-video' },
        State: { EnteredTime: '2026-11-21T05:00:01.000Z' },
        Task: { Token: `token-${this.redriveCount}` },
      },
    });
    let outcome: Pick<RunOutcome, 'status' | 'output' | 'error'>;
    try {
      outcome = { status: 'SUCCEEDED', output: (await execution.result) as Record<string, unknown> };
    } catch (error) {
      outcome = { status: 'FAILED', error: error instanceof Error ? error.message : String(error) };
    }
    const events: StateEvent[] = [];
    for await (const event of execution.eventLogs as AsyncIterable<StateEvent>) {
      events.push(event);
      if (event.type === 'ExecutionSucceeded' || event.type === 'ExecutionFailed') break;
    }
    const failed = [...events].reverse().find((event) => event.type === 'StateFailed');
    this.lastFailure =
      outcome.status === 'FAILED' && failed?.state
        ? { state: failed.state.name, input: failed.state.input }
        : undefined;
    return {
      ...outcome,
      events,
      entered: events.filter((e) => e.type === 'StateEntered').map((e) => e.state?.name ?? ''),
      retried: events.filter((e) => e.type === 'StateRetried').map((e) => e.state?.name ?? ''),
    };
  }

  private async call(state: string, params: Record<string, unknown>): Promise<unknown> {
    this.requests.push({ state, params: structuredClone(params) });
    const injected = this.injected.get(state);
    if (injected && injected.times > 0) {
      injected.times -= 1;
      throw namedError(injected.error, injected.cause ?? injected.error);
    }
    const override = this.overrides.get(state);
    if (override) return override(params);
    switch (state) {
      case 'ProbeSource':
        return SAMPLE_MEDIA;
      case 'Transcode':
        return SAMPLE_TRANSCODE;
      case 'RegisterAsset':
        return SAMPLE_PACKAGING;
      case 'InvalidateCache':
        this.invalidations.push(params);
        return {
          Location: 'https://cloudfront.amazonaws.com/x',
          Invalidation: { Id: 'I2J0I21PCUYOIK', Status: 'InProgress' },
        };
      case 'RecordAsset':
      case 'MarkPublished':
      case 'RecordRejection':
      case 'RecordFailure':
        this.updateItem(params);
        return {};
      case 'NotifyPublished':
      case 'NotifyRejection':
      case 'NotifyFailure':
        this.notifications.push({
          message: params.Message as Record<string, unknown>,
          attributes: params.MessageAttributes as Notification['attributes'],
          subject: params.Subject as string,
        });
        return { MessageId: `m-${this.notifications.length}` };
      case 'SendToDeadLetterQueue':
        this.deadLetters.push({
          body: params.MessageBody as Record<string, unknown>,
          attributes: params.MessageAttributes as Record<string, unknown>,
        });
        return { MessageId: `d-${this.deadLetters.length}` };
      default:
        throw new Error(`no fake for state ${state}`);
    }
  }

  /** UpdateItem with the machine's expressions: SET a = :a / if_not_exists, REMOVE #x, ADD #v :one, publishId condition. */
  private updateItem(params: Record<string, unknown>): void {
    const key = unmarshall(params.Key as Record<string, AttributeValue>) as { assetId: string };
    const names = (params.ExpressionAttributeNames ?? {}) as Record<string, string>;
    const values = unmarshall((params.ExpressionAttributeValues ?? {}) as Record<string, AttributeValue>);
    const item = new Map<string, unknown>(Object.entries(this.catalogue.get(key.assetId) ?? { assetId: key.assetId }));
    const condition = params.ConditionExpression as string | undefined;
    if (condition === 'publishId = :publishId' && item.get('publishId') !== values[':publishId']) {
      throw namedError('DynamoDB.ConditionalCheckFailedException', 'The conditional request failed');
    }
    if (condition !== undefined && condition !== 'publishId = :publishId') {
      throw new Error(`fake does not understand condition ${condition}`);
    }
    const expression = (params.UpdateExpression as string).replace(/\s+/g, ' ');
    const resolve = (token: string) => names[token] ?? token;
    const clauses = expression.split(/\b(?=SET |REMOVE |ADD )/);
    for (const clause of clauses) {
      const [verb, ...rest] = clause.trim().split(' ');
      const body = rest.join(' ');
      if (verb === 'SET') {
        for (const assignment of body.split(/,(?![^(]*\))/)) {
          const [target, source] = assignment.split('=').map((part) => part.trim()) as [string, string];
          const notExists = /^if_not_exists\(\s*([^,]+),\s*([^)]+)\)$/.exec(source);
          const attribute = resolve(target);
          if (notExists) {
            if (!item.has(attribute)) item.set(attribute, values[notExists[2]!.trim()]);
          } else {
            item.set(attribute, values[source]);
          }
        }
      } else if (verb === 'REMOVE') {
        for (const target of body.split(',')) item.delete(resolve(target.trim()));
      } else if (verb === 'ADD') {
        const [target, source] = body.trim().split(' ') as [string, string];
        const attribute = resolve(target);
        item.set(attribute, Number(item.get(attribute) ?? 0) + Number(values[source]));
      }
    }
    this.catalogue.set(key.assetId, Object.fromEntries(item));
  }
}
