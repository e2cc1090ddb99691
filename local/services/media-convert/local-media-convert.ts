import type { JobSettings } from '@aws-sdk/client-mediaconvert';
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { logger } from '../../../functions/commons/logger';
import { locateFfmpegBinaries, type FfmpegBinaries } from '../../ffmpeg/locate-binaries';
import { probeMediaFile } from '../../ffmpeg/probe-media-file';
import { FfmpegFailed } from '../../ffmpeg/run-ffmpeg';
import { LOCAL_ACCOUNT, LOCAL_REGION, type LocalEvent, type PublishEvent } from '../../seam/local-events';
import {
  LocalServiceError,
  unsupportedCommand,
  type CommandInput,
  type CommandOutput,
  type LocalService,
} from '../../seam/local-service';
import type { ObjectStore } from '../../seam/object-store';
import { realScheduler, type Scheduler } from '../../runtime/scheduler';
import { containerFormat, describeProbeResult } from './describe-probe-result';
import { JobCanceled, JobFailed, asJobFailure, scrubPaths } from './job-failure';
import {
  canceledEvent,
  completeEvent,
  errorEvent,
  progressingEvent,
  statusUpdateEvent,
  type JobProgress,
  type JobStatus,
} from './job-state-events';
import { parseS3Url, readJobPlan, type TranscodePlan } from './read-job-plan';
import { runTranscodeJob, type OutputGroupDetail } from './run-transcode-job';

export interface LocalMediaConvertOptions {
  store: ObjectStore;
  publish: PublishEvent;
  /** Scratch space; each job encodes in its own sub-folder, removed when the job ends. */
  workDir: string;
  /** Interval of STATUS_UPDATE events (MediaConvert: 60 s by default; here 10 s). */
  statusUpdateIntervalMs?: number;
  /** Drives the STATUS_UPDATE ticks (tests pass a manual one). */
  scheduler?: Scheduler;
  /** Resolved per job, so a changed FFMPEG_PATH applies to the next job. */
  binaries?: () => FfmpegBinaries;
  /** Names of the on-demand queues besides Default (UpdateQueue refuses others with NotFoundException). */
  queues?: string[];
}

interface Job {
  id: string;
  arn: string;
  queue: string;
  role: string;
  userMetadata: Record<string, string>;
  settings: JobSettings;
  input: CommandInput;
  plan: TranscodePlan;
  createdAt: Date;
  status: JobStatus;
  progress: JobProgress;
  startedAt?: Date;
  finishedAt?: Date;
  errorCode?: number;
  errorMessage?: string;
  outputGroupDetails?: OutputGroupDetail[];
  abort: AbortController;
}

const DEFAULT_QUEUE = `arn:aws:mediaconvert:${LOCAL_REGION}:${LOCAL_ACCOUNT}:queues/Default`;
const DEFAULT_STATUS_UPDATE_MS = 10_000;

function badRequest(message: string): LocalServiceError {
  return new LocalServiceError('BadRequestException', message);
}

function stringRecord(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('UserMetadata must be a map of strings');
  }
  const entries = Object.entries(value);
  if (entries.some(([, item]) => typeof item !== 'string')) throw badRequest('UserMetadata values must be strings');
  return Object.fromEntries(entries);
}

/** MediaConvert's job id form: creation time in ms, a dash, six random characters (`1795230000000-a1b2c3`). */
function newJobId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const suffix = Array.from(randomBytes(6), (byte) => alphabet[byte % alphabet.length]).join('');
  return `${Date.now()}-${suffix}`;
}

/**
 * MediaConvert on this machine: Probe runs ffprobe on the object's file, CreateJob answers at once and the job runs
 * in the background with ffmpeg (one job at a time, like an on-demand queue on two cores), announcing itself through
 * the same "MediaConvert Job State Change" events the cloud sends to EventBridge.
 */
export class LocalMediaConvert implements LocalService {
  readonly service = 'MediaConvert' as const;
  private readonly jobs = new Map<string, Job>();
  private readonly jobsByToken = new Map<string, string>();
  private readonly pending: Job[] = [];
  private readonly pausedQueues = new Set<string>();
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: LocalMediaConvertOptions) {}

  async handle(command: string, input: CommandInput): Promise<CommandOutput> {
    switch (command) {
      case 'Probe':
        return this.probe(input);
      case 'CreateJob':
        return Promise.resolve(this.createJob(input));
      case 'GetJob':
        return Promise.resolve({ Job: this.jobView(this.jobOf(input)) });
      case 'CancelJob':
        this.cancelJob(this.jobOf(input));
        return Promise.resolve({});
      case 'UpdateQueue':
        return Promise.resolve(this.updateQueue(input));
      default:
        throw unsupportedCommand(this.service, command);
    }
  }

  /** Resolves when no job is running or waiting. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Stops the running ffmpeg, drops waiting jobs and publishes nothing more. */
  async close(): Promise<void> {
    this.closed = true;
    this.pending.length = 0;
    for (const job of this.jobs.values()) job.abort.abort();
    await this.idle();
  }

  private binaries(): FfmpegBinaries {
    return this.options.binaries ? this.options.binaries() : locateFfmpegBinaries();
  }

  private async probe(input: CommandInput): Promise<CommandOutput> {
    const files = input.InputFiles;
    if (!Array.isArray(files) || files.length === 0) throw badRequest('InputFiles must list at least one file');
    let ffprobe: string;
    try {
      ffprobe = this.binaries().ffprobe;
    } catch (error) {
      throw new LocalServiceError('InternalServerErrorException', (error as Error).message, { fault: 'server' });
    }
    const results = [];
    for (const file of files as unknown[]) {
      const url = (file as { FileUrl?: unknown } | null)?.FileUrl;
      if (typeof url !== 'string') throw badRequest('every input file needs a FileUrl');
      const { bucket, key } = parseS3Url(url, 'FileUrl');
      const object = key ? await this.options.store.head(bucket, key) : undefined;
      const failedOpen = (reason: string): LocalServiceError =>
        badRequest(`Unable to open input file [${url}]: [Failed probe/open: [${reason}]]`);
      if (!object) throw failedOpen('the object does not exist');
      const localFile = this.options.store.filePath(bucket, key);
      try {
        const probed = await probeMediaFile(ffprobe, localFile);
        const format = containerFormat(probed);
        if (!format) throw failedOpen(`Can't find parser for container`);
        results.push(describeProbeResult(probed, format, object));
      } catch (error) {
        if (!(error instanceof FfmpegFailed)) throw error;
        const reason = scrubPaths(error.stderrTail, localFile, url).split('\n').pop() ?? error.message;
        throw failedOpen(reason || `Can't find parser for container`);
      }
    }
    return { ProbeResults: results };
  }

  private createJob(input: CommandInput): CommandOutput {
    const token = typeof input.ClientRequestToken === 'string' ? input.ClientRequestToken : undefined;
    const existing = token ? this.jobs.get(this.jobsByToken.get(token) ?? '') : undefined;
    // A retried CreateJob with the same token gets the same job, as MediaConvert does.
    if (existing) return { Job: this.jobView(existing) };
    if (typeof input.Role !== 'string' || !input.Role) throw badRequest('Role is required');
    if (typeof input.Settings !== 'object' || input.Settings === null) throw badRequest('Settings is required');
    const settings = structuredClone(input.Settings) as JobSettings;
    const plan = readJobPlan(settings);
    const id = newJobId();
    const job: Job = {
      id,
      arn: `arn:aws:mediaconvert:${LOCAL_REGION}:${LOCAL_ACCOUNT}:jobs/${id}`,
      queue: typeof input.Queue === 'string' && input.Queue ? input.Queue : DEFAULT_QUEUE,
      role: input.Role,
      userMetadata: stringRecord(input.UserMetadata),
      settings,
      input,
      plan,
      createdAt: new Date(),
      status: 'SUBMITTED',
      progress: { phase: 'PROBING', percentComplete: 0, framesDecoded: 0 },
      abort: new AbortController(),
    };
    this.jobs.set(id, job);
    if (token) this.jobsByToken.set(token, id);
    const response = { Job: this.jobView(job) };
    if (!this.closed) {
      this.pending.push(job);
      this.running ??= this.drain();
    }
    return response;
  }

  /**
   * Pauses or activates a queue. A job submitted to a paused queue stays SUBMITTED (and sends no event) until the
   * queue is active again or the job is canceled; running jobs finish.
   * https://docs.aws.amazon.com/mediaconvert/latest/ug/updating-queue-status.html
   */
  private updateQueue(input: CommandInput): CommandOutput {
    const name = input.Name;
    if (typeof name !== 'string' || !name) throw badRequest('Name is required');
    if (name !== 'Default' && !(this.options.queues ?? []).includes(name)) {
      throw new LocalServiceError('NotFoundException', `The queue ${name} does not exist`, { status: 404 });
    }
    const status = input.Status;
    if (status !== undefined && status !== 'ACTIVE' && status !== 'PAUSED') {
      throw badRequest('Status must be ACTIVE or PAUSED');
    }
    if (status === 'PAUSED') this.pausedQueues.add(name);
    if (status === 'ACTIVE') {
      this.pausedQueues.delete(name);
      if (!this.closed && this.pending.length > 0) this.running ??= this.drain();
    }
    const arn = `arn:aws:mediaconvert:${LOCAL_REGION}:${LOCAL_ACCOUNT}:queues/${name}`;
    return { Queue: { Name: name, Arn: arn, Status: this.pausedQueues.has(name) ? 'PAUSED' : 'ACTIVE' } };
  }

  /** The next waiting job whose queue is not paused (the queue name is the last part of its ARN). */
  private nextRunnable(): Job | undefined {
    const index = this.pending.findIndex((job) => !this.pausedQueues.has(job.queue.split('/').pop() ?? ''));
    return index < 0 ? undefined : this.pending.splice(index, 1)[0];
  }

  private jobOf(input: CommandInput): Job {
    const id = input.Id;
    if (typeof id !== 'string' || !id) throw badRequest('Id is required');
    const job = this.jobs.get(id);
    if (!job) throw new LocalServiceError('NotFoundException', `The job ${id} does not exist`, { status: 404 });
    return job;
  }

  private cancelJob(job: Job): void {
    if (job.status !== 'SUBMITTED' && job.status !== 'PROGRESSING') {
      throw badRequest(`The job ${job.id} is ${job.status} and can no longer be canceled`);
    }
    job.status = 'CANCELED';
    job.finishedAt = new Date();
    job.abort.abort();
    const index = this.pending.indexOf(job);
    if (index >= 0) this.pending.splice(index, 1);
    this.publish(canceledEvent(job));
  }

  private publish(event: LocalEvent): void {
    if (this.closed) return;
    try {
      this.options.publish(event);
    } catch (error) {
      logger.warn('local MediaConvert could not publish an event', { error });
    }
  }

  private async drain(): Promise<void> {
    // Yield first: with nothing runnable (a paused queue) the finally below must not run before `running` is set.
    await Promise.resolve();
    try {
      for (let job = this.nextRunnable(); job && !this.closed; job = this.nextRunnable()) {
        try {
          await this.run(job);
        } catch (error) {
          // run() settles every job itself; this only keeps one broken job from stopping the queue.
          logger.error('local MediaConvert job runner failed', { jobId: job.id, error });
        }
      }
    } finally {
      this.running = undefined;
    }
  }

  private async run(job: Job): Promise<void> {
    if (job.status !== 'SUBMITTED') return;
    job.status = 'PROGRESSING';
    job.startedAt = new Date();
    this.publish(progressingEvent(job));
    const stopStatusUpdates = (this.options.scheduler ?? realScheduler).every(
      this.options.statusUpdateIntervalMs ?? DEFAULT_STATUS_UPDATE_MS,
      () => {
        if (job.status === 'PROGRESSING') this.publish(statusUpdateEvent(job, job.progress));
      },
    );
    const workDir = path.join(this.options.workDir, job.id);
    const sourceFile = this.options.store.filePath(job.plan.source.bucket, job.plan.source.key);
    const sourceUrl = `s3://${job.plan.source.bucket}/${job.plan.source.key}`;
    try {
      const binaries = this.binaries();
      await mkdir(workDir, { recursive: true });
      const outputGroupDetails = await runTranscodeJob({
        jobId: job.id,
        plan: job.plan,
        store: this.options.store,
        binaries,
        workDir,
        signal: job.abort.signal,
        onProgress: (phase, percentComplete, framesDecoded) => {
          job.progress = {
            phase,
            percentComplete: Math.max(job.progress.percentComplete, percentComplete),
            framesDecoded: framesDecoded || job.progress.framesDecoded,
          };
        },
      });
      // Canceled (or closed) while the last files moved: no COMPLETE after CANCELED.
      if (job.abort.signal.aborted) return;
      job.status = 'COMPLETE';
      job.finishedAt = new Date();
      job.outputGroupDetails = outputGroupDetails;
      this.publish(
        completeEvent(
          job,
          {
            submitTimeMillis: job.createdAt.getTime(),
            startTimeMillis: job.startedAt.getTime(),
            finishTimeMillis: job.finishedAt.getTime(),
          },
          outputGroupDetails,
        ),
      );
    } catch (error) {
      const failure = asJobFailure(error, sourceFile, sourceUrl);
      if (job.abort.signal.aborted || failure instanceof JobCanceled) return;
      job.status = 'ERROR';
      job.finishedAt = new Date();
      job.errorCode = failure instanceof JobFailed ? failure.errorCode : 1999;
      job.errorMessage = failure.message;
      logger.warn('local MediaConvert job failed', { jobId: job.id, errorCode: job.errorCode });
      this.publish(errorEvent(job, job.errorCode, job.errorMessage));
    } finally {
      stopStatusUpdates();
      await rm(workDir, { recursive: true, force: true });
    }
  }

  /** The job as GetJob/CreateJob return it (the SDK's Job shape). */
  private jobView(job: Job): Record<string, unknown> {
    return {
      Id: job.id,
      Arn: job.arn,
      Status: job.status,
      Queue: job.queue,
      Role: job.role,
      UserMetadata: job.userMetadata,
      CreatedAt: job.createdAt,
      Settings: structuredClone(job.settings),
      ...(typeof job.input.ClientRequestToken === 'string' ? { ClientRequestToken: job.input.ClientRequestToken } : {}),
      ...(typeof job.input.StatusUpdateInterval === 'string'
        ? { StatusUpdateInterval: job.input.StatusUpdateInterval }
        : {}),
      ...(typeof job.input.BillingTagsSource === 'string' ? { BillingTagsSource: job.input.BillingTagsSource } : {}),
      Priority: typeof job.input.Priority === 'number' ? job.input.Priority : 0,
      RetryCount: 0,
      ...(job.status === 'PROGRESSING'
        ? { JobPercentComplete: job.progress.percentComplete, CurrentPhase: job.progress.phase }
        : {}),
      ...(job.errorCode !== undefined ? { ErrorCode: job.errorCode, ErrorMessage: job.errorMessage } : {}),
      ...(job.outputGroupDetails
        ? {
            OutputGroupDetails: job.outputGroupDetails.map((group) => ({
              OutputDetails: group.outputDetails.map((detail) => ({
                DurationInMs: detail.durationInMs,
                VideoDetails: { WidthInPx: detail.videoDetails.widthInPx, HeightInPx: detail.videoDetails.heightInPx },
              })),
            })),
          }
        : {}),
      Timing: {
        SubmitTime: job.createdAt,
        ...(job.startedAt ? { StartTime: job.startedAt } : {}),
        ...(job.finishedAt ? { FinishTime: job.finishedAt } : {}),
      },
    };
  }
}
