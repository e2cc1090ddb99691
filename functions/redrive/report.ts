/** What happened to one dead letter or execution. */
export type Outcome = 'redriven' | 'already-done' | 'not-redrivable' | 'failed' | 'unreadable';

export interface ReportEntry {
  outcome: Outcome;
  messageId?: string;
  executionArn?: string;
  failedState?: string;
  reason?: string;
  /** redriven: the execution's redrive count and date after this redrive. */
  redriveCount?: number;
  redriveDate?: string;
}

export interface RedriveReport {
  mode: 'execution' | 'queue';
  dryRun: boolean;
  /** Redriven (dry run: would be redriven); the message is deleted. */
  redriven: ReportEntry[];
  /** Running again or succeeded: nothing to do; the message is deleted. */
  alreadyDone: ReportEntry[];
  /** Needs a person (too old, gone, another state machine); the message is kept. */
  notRedrivable: ReportEntry[];
  /** May work later (an API error, or the execution is still on its failure path); the message is kept. */
  failed: ReportEntry[];
  /** The message body cannot be read; the message is kept. */
  unreadable: ReportEntry[];
  /** Queue mode: messages received, and why the replay stopped. */
  received?: number;
  stoppedBy?: 'queue-empty' | 'max-messages' | 'time-limit';
}

const LIST: Record<
  Outcome,
  keyof Pick<RedriveReport, 'redriven' | 'alreadyDone' | 'notRedrivable' | 'failed' | 'unreadable'>
> = {
  redriven: 'redriven',
  'already-done': 'alreadyDone',
  'not-redrivable': 'notRedrivable',
  failed: 'failed',
  unreadable: 'unreadable',
};

export function emptyReport(mode: RedriveReport['mode'], dryRun: boolean): RedriveReport {
  return { mode, dryRun, redriven: [], alreadyDone: [], notRedrivable: [], failed: [], unreadable: [] };
}

export function record(report: RedriveReport, entry: ReportEntry): void {
  report[LIST[entry.outcome]].push(entry);
}

/** Counts only: safe to log. */
export function summary(report: RedriveReport): Record<string, unknown> {
  return {
    mode: report.mode,
    dryRun: report.dryRun,
    received: report.received,
    stoppedBy: report.stoppedBy,
    redriven: report.redriven.length,
    alreadyDone: report.alreadyDone.length,
    notRedrivable: report.notRedrivable.length,
    failed: report.failed.length,
    unreadable: report.unreadable.length,
  };
}
