// Follows one asset through the workflow by polling GET /api/videos/{id} until it reaches a final state.
import { ApiError, requestJson } from './api-client.js';
import { FINAL_STATUSES } from './asset-status.js';

/**
 * @param {string} assetId
 * @param {{ token: () => Promise<string | undefined>, onUpdate: (video: any) => void,
 *           onProblem: (message: string) => void, intervalMs?: number }} options
 * @returns {{ stop: () => void, done: Promise<any> }} done resolves with the final record (or undefined if stopped)
 */
export function followAsset(assetId, options) {
  const intervalMs = options.intervalMs ?? 1000;
  let stopped = false;
  let timer;
  let finish;
  const done = new Promise((resolve, reject) => {
    finish = { resolve, reject };
  });

  async function poll() {
    if (stopped) return;
    try {
      const video = await requestJson(`/api/videos/${encodeURIComponent(assetId)}`, { token: await options.token() });
      if (stopped) return;
      options.onUpdate(video);
      if (FINAL_STATUSES.has(video.status)) {
        stopped = true;
        finish.resolve(video);
        return;
      }
    } catch (error) {
      if (stopped) return;
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
        // Polling again cannot fix a refusal: it takes another identity.
        stopped = true;
        options.onProblem(`Cannot follow ${assetId}: ${error.message} (HTTP ${error.status})`);
        finish.reject(error);
        return;
      }
      // Right after the upload the workflow may not have recorded the asset yet; servers restart: keep polling.
      options.onProblem(
        error instanceof ApiError && error.status === 404
          ? 'Waiting for the workflow to record the asset…'
          : `Status unavailable, retrying: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    timer = setTimeout(poll, intervalMs);
  }

  void poll();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      finish.resolve(undefined);
    },
    done,
  };
}
