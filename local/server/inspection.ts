import type { LocalSns } from '../services/sns/local-sns';
import type { LocalSqs } from '../services/sqs/local-sqs';
import type { LocalStepFunctions } from '../step-functions/local-step-functions';
import { LOCAL_STACK } from '../runtime/local-stack';

/** Executions as the page and `vodflow status` show them. */
export function inspectExecutions(stepFunctions: LocalStepFunctions) {
  return stepFunctions.list().map((record) => ({
    executionArn: record.executionArn,
    name: record.name,
    status: record.status,
    startDate: record.startDate,
    ...(record.stopDate ? { stopDate: record.stopDate } : {}),
    redriveCount: record.redriveCount,
    ...(record.status !== 'SUCCEEDED' && record.failedState ? { failedState: record.failedState.name } : {}),
    ...(record.error ? { error: record.error } : {}),
  }));
}

export function inspectQueues(sqs: LocalSqs) {
  return [LOCAL_STACK.deadLetterQueue, LOCAL_STACK.eventsDeadLetterQueue].map((name) => {
    const messages = sqs.peek(name);
    return { name, depth: messages.length, messages };
  });
}

export function inspectTopics(sns: LocalSns) {
  return [LOCAL_STACK.notificationsTopic, LOCAL_STACK.alarmTopic].map((name) => ({
    name,
    messages: sns.messages(name),
  }));
}
