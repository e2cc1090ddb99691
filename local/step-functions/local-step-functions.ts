import './promise-with-resolvers';
import { StateMachine } from 'aws-local-stepfunctions';
import { LocalServiceError, type CommandInput, type CommandOutput, type LocalService } from '../seam/local-service';
import { ExecutionStore } from './execution-store';
import { isRedrivable, type ExecutionRecord, type HistoryEvent } from './execution-record';
import { describeExecution, historyEvents, listItem } from './execution-views';
import type { Json, JsonObject } from './load-definition';
import { namedError } from './named-error';
import type { Scheduler } from '../runtime/scheduler';
import { TaskTokens } from './task-tokens';
import { assertRequestPayload, limitTaskResult } from './payload-limits';
import { runTask, type TaskDependencies } from './run-task';
import { eventBridgeEvent, type PublishEvent } from '../seam/local-events';

export interface LocalStepFunctionsOptions {
  dataDir: string;
  stateMachineArn: string;
  definition: JsonObject;
  tasks: TaskDependencies;
  /** Retry waits in seconds replaced by this value (tests use 0); the ASL's own intervals when absent. */
  retryIntervalSeconds?: number;
  /** The clock of HeartbeatSeconds (tests pass one they move forward). */
  scheduler?: Scheduler;
  /** Where "Step Functions Execution Status Change" events of stopped executions go (EventBridge in the cloud). */
  publish?: PublishEvent;
}

/** What aws-local-stepfunctions' event log reports (the subset read here). */
interface LogEvent {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input: Json; output?: Json };
  Error?: string;
  Cause?: unknown;
}

const NAME = /^[0-9A-Za-z_-]{1,80}$/;
const TASK_TOKEN_PLACEHOLDER = '__vodflow_local_task_token__';

/**
 * Step Functions for one state machine: executions run the real ASL with aws-local-stepfunctions, Task states are
 * answered through the seam (Lambda functions in-process, direct integrations by the local services), task tokens
 * wait for SendTask* with HeartbeatSeconds enforced, and every execution is persisted with its history so that
 * RedriveExecution continues at the failed state, with that state's input and RedriveCount + 1, even after a
 * restart. A run cut short by a stop or a crash is recorded FAILED at the state it was in, so it can be redriven.
 */
export class LocalStepFunctions implements LocalService {
  readonly service = 'SFN' as const;
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly running = new Map<string, { abort: () => void; done: Promise<void> }>();
  private readonly store: ExecutionStore;
  private readonly tokens: TaskTokens;
  private stopping = false;

  private constructor(private readonly options: LocalStepFunctionsOptions) {
    this.tokens = new TaskTokens(options.scheduler);
    this.store = new ExecutionStore(`${options.dataDir}/stepfunctions`);
  }

  static async open(options: LocalStepFunctionsOptions): Promise<LocalStepFunctions> {
    const sfn = new LocalStepFunctions(options);
    for (const record of await sfn.store.load()) {
      if (record.status === 'RUNNING') sfn.interrupt(record, 'the local runtime stopped while this execution ran');
      sfn.executions.set(record.executionArn, record);
      if (record.status !== 'RUNNING') await sfn.store.save(record);
    }
    return sfn;
  }

  async handle(command: string, input: CommandInput): Promise<CommandOutput> {
    switch (command) {
      case 'StartExecution':
        return this.startExecution(input);
      case 'DescribeExecution':
        return describeExecution(this.find(input.executionArn));
      case 'ListExecutions':
        return this.listExecutions(input);
      case 'GetExecutionHistory':
        return this.history(input);
      case 'RedriveExecution':
        return this.redrive(input);
      case 'StopExecution':
        return this.stop(input);
      case 'SendTaskSuccess':
        assertRequestPayload('output', String(input.output));
        this.tokens.succeed(String(input.taskToken), String(input.output));
        return {};
      case 'SendTaskFailure':
        this.tokens.fail(String(input.taskToken), input.error as string | undefined, input.cause as string | undefined);
        return {};
      case 'SendTaskHeartbeat':
        this.tokens.heartbeat(String(input.taskToken));
        return {};
      default:
        throw new LocalServiceError('UnsupportedOperation', `local Step Functions does not implement ${command}`);
    }
  }

  /** Every execution, newest first (inspection for the CLI and the page). */
  list(): ExecutionRecord[] {
    return [...this.executions.values()].sort((a, b) => b.startDate.localeCompare(a.startDate));
  }

  get(executionArn: string): ExecutionRecord | undefined {
    return this.executions.get(executionArn);
  }

  /** Resolves when no execution is running. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running.values()].map((run) => run.done));
  }

  /** Stops running executions; each is recorded FAILED at its current state, ready to be redriven. */
  async close(): Promise<void> {
    this.stopping = true;
    for (const run of this.running.values()) run.abort();
    await this.idle();
    await this.store.flush();
  }

  private find(executionArn: unknown): ExecutionRecord {
    const record = typeof executionArn === 'string' ? this.executions.get(executionArn) : undefined;
    if (!record)
      throw new LocalServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(executionArn)}'`);
    return record;
  }

  private async startExecution(input: CommandInput): Promise<CommandOutput> {
    if (input.stateMachineArn !== this.options.stateMachineArn) {
      throw new LocalServiceError(
        'StateMachineDoesNotExist',
        `State Machine Does Not Exist: '${String(input.stateMachineArn)}'`,
      );
    }
    const name = typeof input.name === 'string' ? input.name : crypto.randomUUID();
    if (!NAME.test(name)) throw new LocalServiceError('InvalidName', `Invalid Name: '${name}'`);
    const rawInput = typeof input.input === 'string' ? input.input : '{}';
    assertRequestPayload('input', rawInput);
    let parsed: Json;
    try {
      parsed = JSON.parse(rawInput) as Json;
    } catch {
      throw new LocalServiceError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not JSON');
    }
    const executionArn = `${this.options.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      // Standard workflows: the same name and input while running is the same execution; anything else is refused.
      if (existing.status === 'RUNNING' && existing.input === rawInput) {
        return { executionArn, startDate: new Date(existing.startDate) };
      }
      throw new LocalServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: this.options.stateMachineArn,
      name,
      input: rawInput,
      status: 'RUNNING',
      startDate: new Date().toISOString(),
      redriveCount: 0,
      redriveClientTokens: [],
      history: [],
    };
    this.executions.set(executionArn, record);
    this.append(record, { type: 'ExecutionStarted', input: parsed });
    await this.store.save(record);
    this.launch(record, undefined, parsed);
    return { executionArn, startDate: new Date(record.startDate) };
  }

  private async redrive(input: CommandInput): Promise<CommandOutput> {
    const record = this.find(input.executionArn);
    const clientToken = typeof input.clientToken === 'string' ? input.clientToken : undefined;
    if (clientToken && record.redriveClientTokens.includes(clientToken) && record.redriveDate) {
      return { redriveDate: new Date(record.redriveDate) };
    }
    if (!isRedrivable(record) || !record.failedState) {
      throw new LocalServiceError(
        'ExecutionNotRedrivable',
        `Execution ${record.executionArn} is ${record.status} and cannot be redriven`,
      );
    }
    const { name, input: stateInput } = record.failedState;
    record.status = 'RUNNING';
    record.redriveCount += 1;
    record.redriveDate = new Date().toISOString();
    if (clientToken) record.redriveClientTokens.push(clientToken);
    delete record.stopDate;
    delete record.error;
    delete record.cause;
    delete record.output;
    this.append(record, { type: 'ExecutionRedriven', redriveCount: record.redriveCount, stateName: name });
    await this.store.save(record);
    this.launch(record, name, stateInput);
    return { redriveDate: new Date(record.redriveDate) };
  }

  private async stop(input: CommandInput): Promise<CommandOutput> {
    const record = this.find(input.executionArn);
    if (record.status === 'RUNNING') {
      record.error = typeof input.error === 'string' ? input.error : undefined;
      record.cause = typeof input.cause === 'string' ? input.cause : undefined;
      this.running.get(record.executionArn)?.abort();
      await this.running.get(record.executionArn)?.done;
    }
    return { stopDate: new Date(record.stopDate ?? Date.now()) };
  }

  private listExecutions(input: CommandInput): CommandOutput {
    const filter = typeof input.statusFilter === 'string' ? input.statusFilter : undefined;
    const max = typeof input.maxResults === 'number' && input.maxResults > 0 ? input.maxResults : 100;
    const executions = this.list()
      .filter((record) => filter === undefined || record.status === filter)
      .slice(0, max)
      .map(listItem);
    return { executions };
  }

  private history(input: CommandInput): CommandOutput {
    const record = this.find(input.executionArn);
    const events = historyEvents(record);
    return { events: input.reverseOrder === true ? events.reverse() : events };
  }

  private append(record: ExecutionRecord, event: Omit<HistoryEvent, 'id' | 'timestamp'>): void {
    record.history.push({ id: record.history.length + 1, timestamp: new Date().toISOString(), ...event });
  }

  private interrupt(record: ExecutionRecord, cause: string): void {
    record.stopAnnounced = false;
    record.status = 'FAILED';
    record.error = 'Local.RuntimeStopped';
    record.cause = cause;
    record.stopDate = new Date().toISOString();
    if (record.currentState) record.failedState = record.currentState;
    this.append(record, { type: 'ExecutionFailed', error: record.error, cause });
  }

  private launch(record: ExecutionRecord, startAt: string | undefined, input: Json): void {
    let abort: () => void = () => undefined;
    const done = this.runPass(record, startAt, input, (fn) => {
      abort = fn;
    })
      .catch(async (error: unknown) => {
        // The run could not even start (an invalid definition): the execution fails, as StartExecution would refuse.
        record.status = 'FAILED';
        record.error = 'States.Runtime';
        record.cause = error instanceof Error ? error.message : String(error);
        record.stopDate = new Date().toISOString();
        this.append(record, { type: 'ExecutionFailed', error: record.error, cause: record.cause });
        record.stopAnnounced = false;
        this.announceStop(record);
        await this.store.save(record);
      })
      .finally(() => {
        this.running.delete(record.executionArn);
        this.tokens.closeExecution(record.executionArn);
      });
    this.running.set(record.executionArn, {
      abort: () => {
        abort();
      },
      done,
    });
  }

  private async runPass(
    record: ExecutionRecord,
    startAt: string | undefined,
    input: Json,
    onAbort: (abort: () => void) => void,
  ): Promise<void> {
    const definition = startAt ? { ...this.options.definition, StartAt: startAt } : this.options.definition;
    const states = definition.States as Record<string, JsonObject>;
    const taskStates = Object.entries(states).filter(([, state]) => state.Type === 'Task');
    // A redrive starts mid-machine, where states before it are unreachable: the definition was validated when the
    // execution started, so it is not validated again.
    const machine = new StateMachine(definition as never, {
      validationOptions: startAt ? { noValidate: true } : { checkArn: false, checkPaths: true },
    });
    const retryIntervals =
      this.options.retryIntervalSeconds === undefined
        ? undefined
        : Object.fromEntries(taskStates.map(([name]) => [name, this.options.retryIntervalSeconds ?? 0]));
    const execution = machine.run(input, {
      overrides: {
        taskResourceLocalHandlers: Object.fromEntries(
          taskStates.map(([name, state]) => [
            name,
            async (params: unknown) =>
              limitTaskResult(
                name,
                await runTask(
                  {
                    executionArn: record.executionArn,
                    state,
                    tokens: this.tokens,
                    placeholder: TASK_TOKEN_PLACEHOLDER,
                  },
                  params as Json,
                  this.options.tasks,
                ),
              ) as never,
          ]),
        ),
        ...(retryIntervals ? { retryIntervalOverrides: retryIntervals } : {}),
      },
      noThrowOnAbort: true,
      context: {
        Execution: {
          Id: record.executionArn,
          Name: record.name,
          RedriveCount: record.redriveCount,
          StartTime: record.startDate,
        },
        StateMachine: { Id: this.options.stateMachineArn, Name: this.options.stateMachineArn.split(':').pop() },
        // The library fixes the context for a run: getters give each state its own entry time.
        State: {
          get EnteredTime() {
            return new Date().toISOString();
          },
        },
        Task: { Token: TASK_TOKEN_PLACEHOLDER },
      },
    });
    onAbort(execution.abort);

    let lastFailed: { name: string; input: Json } | undefined;
    let ending: LogEvent | undefined;
    for await (const raw of execution.eventLogs) {
      const event = raw as LogEvent;
      if (event.type === 'StateEntered' && event.state) {
        record.currentState = { name: event.state.name, input: event.state.input };
        this.append(record, {
          type: `${event.state.type}StateEntered`,
          stateName: event.state.name,
          input: event.state.input,
        });
        void this.store.save(record);
      } else if (event.type === 'StateExited' && event.state) {
        this.append(record, {
          type: `${event.state.type}StateExited`,
          stateName: event.state.name,
          output: event.state.output ?? null,
        });
      } else if (
        (event.type === 'StateFailed' || event.type === 'StateRetried' || event.type === 'StateCaught') &&
        event.state
      ) {
        if (event.type === 'StateFailed') lastFailed = { name: event.state.name, input: event.state.input };
        this.append(record, {
          type: event.type === 'StateFailed' ? 'TaskFailed' : event.type,
          stateName: event.state.name,
          ...taskResource(states[event.state.name]),
          ...(event.Error === undefined ? {} : { error: event.Error, cause: causeText(event.Cause) }),
        });
      } else if (event.type.startsWith('Execution') && event.type !== 'ExecutionStarted') {
        ending = event;
        break;
      }
    }
    const output = await execution.result.catch(() => undefined);
    this.finish(record, ending, output, lastFailed);
    if (!this.stopping) this.announceStop(record);
    await this.store.save(record);
  }

  private finish(
    record: ExecutionRecord,
    ending: LogEvent | undefined,
    output: Json | undefined,
    lastFailed: { name: string; input: Json } | undefined,
  ): void {
    record.stopDate = new Date().toISOString();
    switch (ending?.type) {
      case 'ExecutionSucceeded':
        record.status = 'SUCCEEDED';
        record.output = JSON.stringify(output ?? null);
        delete record.failedState;
        this.append(record, { type: 'ExecutionSucceeded', output: output ?? null });
        break;
      case 'ExecutionFailed':
        record.status = 'FAILED';
        record.error = ending.Error ?? 'States.Runtime';
        record.cause = causeText(ending.Cause);
        record.failedState = lastFailed ?? record.currentState;
        this.append(record, { type: 'ExecutionFailed', error: record.error, cause: record.cause });
        break;
      case 'ExecutionTimeout':
        record.status = 'TIMED_OUT';
        record.failedState = record.currentState;
        this.append(record, { type: 'ExecutionTimedOut' });
        break;
      default:
        if (this.stopping) {
          this.interrupt(record, 'the local runtime stopped while this execution ran');
        } else {
          record.status = 'ABORTED';
          record.failedState = record.currentState;
          this.append(record, { type: 'ExecutionAborted', error: record.error, cause: record.cause });
        }
    }
    if (isRedrivable(record)) record.stopAnnounced = false;
    else delete record.stopAnnounced;
    delete record.currentState;
  }

  /**
   * Sends the stops that were not announced yet (executions cut short by a shutdown or a crash of local mode): call
   * once the event rules are in place.
   */
  async announcePendingStops(): Promise<void> {
    for (const record of this.executions.values()) {
      if (isRedrivable(record) && record.stopAnnounced !== true && this.announceStop(record)) {
        await this.store.save(record);
      }
    }
  }

  /**
   * The "Step Functions Execution Status Change" event Step Functions sends to EventBridge when a Standard execution
   * stops (https://docs.aws.amazon.com/step-functions/latest/dg/eventbridge-integration.html).
   */
  private announceStop(record: ExecutionRecord): boolean {
    if (!this.options.publish || !isRedrivable(record)) return false;
    this.options.publish(
      eventBridgeEvent(
        'aws.states',
        'Step Functions Execution Status Change',
        {
          executionArn: record.executionArn,
          stateMachineArn: record.stateMachineArn,
          name: record.name,
          status: record.status,
          startDate: Date.parse(record.startDate),
          stopDate: record.stopDate ? Date.parse(record.stopDate) : null,
          input: record.input,
          inputDetails: { included: true },
          output: null,
          outputDetails: null,
          error: record.error ?? null,
          cause: record.cause ?? null,
        },
        [record.executionArn],
      ),
    );
    record.stopAnnounced = true;
    return true;
  }
}

/**
 * A Task state's integration as TaskFailed names it: `arn:aws:states:::lambda:invoke.waitForTaskToken` is resourceType
 * `lambda`, resource `invoke.waitForTaskToken`; `...:::aws-sdk:cloudfront:createInvalidation` is `aws-sdk:cloudfront`,
 * `createInvalidation`; a bare Lambda ARN is `lambda` / `invoke`. Other states fail without a TaskFailed event.
 */
function taskResource(state: JsonObject | undefined): { resourceType?: string; resource?: string } {
  if (state?.Type !== 'Task' || typeof state.Resource !== 'string') return {};
  const arn = state.Resource;
  if (arn.startsWith('arn:aws:lambda:')) return { resourceType: 'lambda', resource: 'invoke' };
  const service = arn.replace(/^arn:aws:states:::/, '');
  const cut = service.lastIndexOf(':');
  return cut > 0 ? { resourceType: service.slice(0, cut), resource: service.slice(cut + 1) } : {};
}

function causeText(cause: unknown): string {
  if (typeof cause === 'string') return cause;
  if (cause instanceof Error) return cause.message;
  return JSON.stringify(cause ?? '');
}

export { namedError };
