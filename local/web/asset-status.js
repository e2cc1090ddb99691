// What a catalogue record's status means to a person, and when following it can stop.

export const FINAL_STATUSES = new Set(['READY', 'PUBLISHED', 'FAILED', 'REJECTED', 'UNPUBLISHED']);
export const PLAYABLE_STATUSES = new Set(['READY', 'PUBLISHED']);

/**
 * @param {{ status: string, progress?: number, error?: { state?: string, error?: string, cause?: string } }} video
 * @returns {{ label: string, detail: string, tone: 'waiting' | 'working' | 'done' | 'failed', percent?: number }}
 */
export function describeStatus(video) {
  switch (video.status) {
    case 'AWAITING_UPLOAD':
      return { label: 'Awaiting upload', detail: 'The upload has not reached the source bucket yet.', tone: 'waiting' };
    case 'INGESTED':
      return { label: 'Ingested', detail: 'Probed and recorded; waiting for the transcoder.', tone: 'working' };
    case 'TRANSCODING': {
      // Catalogue list items carry no progress: say nothing rather than a misleading 0%.
      if (video.progress === undefined || video.progress === null) {
        return { label: 'Transcoding', detail: 'Encoding the CMAF ladder.', tone: 'working' };
      }
      const percent = clampPercent(video.progress);
      return { label: `Transcoding ${percent}%`, detail: 'Encoding the CMAF ladder.', tone: 'working', percent };
    }
    case 'READY':
    case 'PUBLISHED':
      return { label: 'Ready', detail: 'Published: play it with HLS or DASH.', tone: 'done', percent: 100 };
    case 'FAILED': {
      const { state, error, cause } = video.error ?? {};
      const where = state ? ` at ${state}` : '';
      return {
        label: `Failed${where}`,
        detail: joinReason(error, cause) || 'No failure detail recorded.',
        tone: 'failed',
      };
    }
    case 'REJECTED': {
      const { error, cause } = video.error ?? {};
      return { label: 'Rejected', detail: joinReason(error, cause) || 'The source was refused.', tone: 'failed' };
    }
    case 'UNPUBLISHED':
      return { label: 'Unpublished', detail: 'An operator withdrew this video.', tone: 'waiting' };
    default:
      return { label: String(video.status), detail: '', tone: 'waiting' };
  }
}

function clampPercent(value) {
  const number = Number(value);
  if (!Number.isFinite(number)) return 0;
  return Math.max(0, Math.min(100, Math.round(number)));
}

function joinReason(error, cause) {
  const readableCause = readableErrorCause(cause);
  return [error, readableCause].filter(Boolean).join(': ');
}

/** A Lambda error's Cause is a JSON document; people want its errorMessage, not the JSON. */
export function readableErrorCause(cause) {
  if (typeof cause !== 'string' || cause === '') return '';
  try {
    const parsed = JSON.parse(cause);
    if (typeof parsed?.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // A plain-text cause is already readable.
  }
  return cause;
}

export function formatDuration(seconds) {
  const total = Math.round(Number(seconds));
  if (!Number.isFinite(total) || total <= 0) return '';
  const minutes = Math.floor(total / 60);
  return `${minutes}:${String(total % 60).padStart(2, '0')}`;
}
