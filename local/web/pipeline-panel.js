// The "Pipeline" panel: executions, queues (the dead-letter queue first) and notifications from the local
// inspection routes, refreshed every few seconds while the page is visible.
import { describeError, requestJson } from './api-client.js';
import { formatTime, h } from './create-element.js';

const SHOWN_ITEMS = 20;

const isDeadLetterQueue = (name) => /dlq|dead/i.test(name);

function renderExecutions(executions) {
  if (executions.length === 0) return h('p', { class: 'empty', text: 'No executions yet.' });
  const sorted = [...executions].sort((a, b) => String(b.startDate).localeCompare(String(a.startDate)));
  return h(
    'table',
    { class: 'executions' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Execution', 'Status', 'Started', 'Stopped', 'Redrives', 'Failed at'].map((t) =>
          h('th', { scope: 'col', text: t }),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      ...sorted
        .slice(0, SHOWN_ITEMS)
        .map((execution) =>
          h(
            'tr',
            { 'data-status': execution.status },
            h('td', { class: 'mono', title: execution.executionArn, text: execution.name }),
            h(
              'td',
              {},
              h('span', { class: `badge status-${String(execution.status).toLowerCase()}`, text: execution.status }),
            ),
            h('td', { text: formatTime(execution.startDate) }),
            h('td', { text: formatTime(execution.stopDate) }),
            h('td', { text: String(execution.redriveCount ?? 0) }),
            h('td', { text: execution.failedState ?? '' }),
          ),
        ),
    ),
  );
}

function renderMessage(summary, body, details) {
  return h(
    'details',
    { class: 'message' },
    h('summary', { text: summary }),
    h('pre', { text: prettyJson(body) }),
    hasEntries(details) ? h('pre', { class: 'attributes', text: prettyJson(details) }) : null,
  );
}

const hasEntries = (value) => value !== null && typeof value === 'object' && Object.keys(value).length > 0;

function prettyJson(value) {
  if (typeof value === 'string') {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return value;
    }
  }
  return JSON.stringify(value, null, 2);
}

function renderQueues(queues) {
  if (queues.length === 0) return h('p', { class: 'empty', text: 'No queues.' });
  const sorted = [...queues].sort((a, b) => Number(isDeadLetterQueue(b.name)) - Number(isDeadLetterQueue(a.name)));
  return h(
    'ul',
    { class: 'queues' },
    ...sorted.map((queue) =>
      h(
        'li',
        { class: isDeadLetterQueue(queue.name) && queue.depth > 0 ? 'queue alert' : 'queue', 'data-queue': queue.name },
        h('span', { class: 'mono', text: queue.name }),
        ' ',
        h('span', { class: 'depth', text: `depth ${queue.depth}`, 'aria-label': `${queue.name} depth ${queue.depth}` }),
        ...(queue.messages ?? [])
          .slice(-SHOWN_ITEMS)
          .map((message) =>
            renderMessage(
              `${formatTime(message.sentAt)} · received ${message.receiveCount ?? 0}×`,
              message.body,
              message.attributes,
            ),
          ),
      ),
    ),
  );
}

function renderTopics(topics) {
  if (topics.length === 0) return h('p', { class: 'empty', text: 'No topics.' });
  return h(
    'ul',
    { class: 'topics' },
    ...topics.map((topic) =>
      h(
        'li',
        { 'data-topic': topic.name },
        h('span', { class: 'mono', text: topic.name }),
        ' ',
        h('span', { class: 'depth', text: `${(topic.messages ?? []).length} published` }),
        ...(topic.messages ?? [])
          .slice(-SHOWN_ITEMS)
          .reverse()
          .map((message) =>
            renderMessage(
              `${formatTime(message.publishedAt)} · ${message.subject ?? message.attributes?.event?.StringValue ?? 'message'}`,
              message.message,
              message.attributes,
            ),
          ),
      ),
    ),
  );
}

/**
 * @param {{ executions: HTMLElement, queues: HTMLElement, topics: HTMLElement, status: HTMLElement }} targets
 * @returns {{ refresh: () => Promise<void>, stop: () => void }}
 */
export function startPipelinePanel(targets, intervalMs = 3000) {
  // Re-render only what changed, so an opened <details> stays open between refreshes.
  const lastJson = new Map();
  const sections = [
    ['executions', '/local/executions', renderExecutions],
    ['queues', '/local/queues', renderQueues],
    ['topics', '/local/topics', renderTopics],
  ];

  async function refresh() {
    const problems = [];
    await Promise.all(
      sections.map(async ([key, url, render]) => {
        try {
          const data = await requestJson(url);
          if (!Array.isArray(data)) throw new Error(`${url} did not answer a list`);
          const json = JSON.stringify(data);
          if (lastJson.get(key) === json) return;
          lastJson.set(key, json);
          targets[key].replaceChildren(render(data));
        } catch (error) {
          problems.push(`${url}: ${describeError(error)}`);
        }
      }),
    );
    targets.status.textContent = problems.length
      ? `Refresh failed: ${problems.join('; ')}`
      : `Updated ${new Date().toLocaleTimeString()}`;
    targets.status.classList.toggle('error', problems.length > 0);
  }

  const timer = setInterval(() => {
    if (document.visibilityState === 'visible') void refresh();
  }, intervalMs);
  void refresh();
  return { refresh, stop: () => clearInterval(timer) };
}
