// Playback through the edge: POST /api/play/{assetId} on the edge's origin sets the CloudFront signed cookies there
// (credentials: 'include'), then hls.js or dash.js fetch the manifest and every segment with credentials so the
// browser sends those cookies cross-origin. The players are classic UMD scripts, loaded on first use.
import { ApiError, requestJson } from './api-client.js';

const PLAYER_SCRIPTS = { hls: '/vendor/hls.min.js', dash: '/vendor/dash.all.min.js' };
const scriptLoads = new Map();

export class PlaybackError extends Error {
  /** @param {string} message @param {number | undefined} httpStatus */
  constructor(message, httpStatus) {
    super(message);
    this.name = 'PlaybackError';
    this.httpStatus = httpStatus;
  }
}

function loadScript(src) {
  if (!scriptLoads.has(src)) {
    const loading = new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = src;
      script.async = true;
      script.addEventListener('load', () => resolve());
      script.addEventListener('error', () => {
        scriptLoads.delete(src);
        reject(new PlaybackError(`cannot load the player script ${src}`));
      });
      document.head.append(script);
    });
    scriptLoads.set(src, loading);
  }
  return scriptLoads.get(src);
}

/** What a refusal means for the person watching, by where it happened and its status. */
export function explainPlaybackError(error) {
  if (error instanceof ApiError) {
    switch (error.status) {
      case 0:
        return `Cannot reach the edge: ${error.message}`;
      case 401:
        return `Sign in to play this video: ${error.message} (HTTP 401)`;
      case 403:
        return `Not entitled to this video: ${error.message} (HTTP 403)`;
      case 404:
        return `No such video: ${error.message} (HTTP 404)`;
      case 409:
        return `Not playable yet: ${error.message} (HTTP 409)`;
      default:
        return `The play request failed: ${error.message} (HTTP ${error.status})`;
    }
  }
  if (error instanceof PlaybackError && error.httpStatus === 403) {
    return `The edge refused the stream (HTTP 403): the signed cookies are missing, expired or for another asset. ${error.message}`;
  }
  if (error instanceof PlaybackError && error.httpStatus) {
    return `The edge answered HTTP ${error.httpStatus}: ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** dash.js does not surface HTTP statuses in its errors: ask the edge once, with the same cookies, what it says. */
async function edgeStatusOf(url) {
  try {
    const response = await fetch(url, { credentials: 'include', cache: 'no-store' });
    return response.ok ? undefined : response.status;
  } catch {
    return undefined;
  }
}

async function attachHls(video, url, onFatal) {
  await loadScript(PLAYER_SCRIPTS.hls);
  const Hls = window.Hls;
  if (!Hls?.isSupported()) throw new PlaybackError('this browser has no Media Source Extensions: hls.js cannot play');
  const hls = new Hls({
    xhrSetup: (xhr) => {
      xhr.withCredentials = true;
    },
  });
  let mediaRecoveryTried = false;
  const ready = new Promise((resolve, reject) => {
    hls.on(Hls.Events.MANIFEST_PARSED, () => resolve());
    hls.on(Hls.Events.ERROR, (_event, data) => {
      // Non-fatal errors (a segment request aborted under throttling) are retried by hls.js itself.
      if (!data.fatal) return;
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR && !mediaRecoveryTried) {
        mediaRecoveryTried = true;
        hls.recoverMediaError();
        return;
      }
      const status = data.response?.code || undefined;
      const error = new PlaybackError(
        `hls.js ${data.type}: ${data.details}${status ? ` (HTTP ${status})` : ''}`,
        status,
      );
      hls.destroy();
      onFatal(error);
      reject(error);
    });
  });
  ready.catch(() => undefined); // awaited by play(); this only keeps a superseded attempt from logging
  hls.loadSource(url);
  hls.attachMedia(video);
  return { destroy: () => hls.destroy(), ready };
}

async function attachDash(video, url, onFatal) {
  await loadScript(PLAYER_SCRIPTS.dash);
  const dashjs = window.dashjs;
  if (!dashjs?.supportsMediaSource()) {
    throw new PlaybackError('this browser has no Media Source Extensions: dash.js cannot play');
  }
  const player = dashjs.MediaPlayer().create();
  player.updateSettings({ debug: { logLevel: dashjs.Debug.LOG_LEVEL_WARNING } });
  // No request type given: dash.js sets its default, which every request type (MPD, init, media) falls back to.
  player.setXHRWithCredentialsForType(undefined, true);
  const events = dashjs.MediaPlayer.events;
  const ready = new Promise((resolve, reject) => {
    player.on(events.STREAM_INITIALIZED, () => resolve());
    // dash.js raises ERROR only once its own retries are exhausted: each one ends playback.
    player.on(events.ERROR, async (event) => {
      const detail = event.error?.message ?? event.error?.code ?? 'unknown error';
      const status = await edgeStatusOf(url);
      const error = new PlaybackError(`dash.js error: ${detail}${status ? ` (HTTP ${status})` : ''}`, status);
      player.reset();
      onFatal(error);
      reject(error);
    });
  });
  ready.catch(() => undefined); // awaited by play(); this only keeps a superseded attempt from logging
  player.initialize(video, url, true);
  return { destroy: () => player.reset(), ready };
}

/**
 * @param {HTMLVideoElement} video
 * @param {{ edgeUrl: string, token: () => Promise<string | undefined>,
 *           onChange?: (state: ReturnType<ReturnType<typeof createPlayback>['state']>, grant?: any) => void }} options
 */
export function createPlayback(video, options) {
  video.muted = true;
  video.playsInline = true;
  let current;
  const notify = (grant) => options.onChange?.(state(), grant);

  function state() {
    const result = {
      currentTime: video.currentTime,
      paused: video.paused,
      protocol: current?.protocol,
      assetId: current?.assetId,
    };
    if (current?.fatalError) result.fatalError = current.fatalError;
    return result;
  }

  function stop() {
    current?.player?.destroy();
    current = undefined;
    video.removeAttribute('src');
    video.removeAttribute('poster');
    video.load();
  }

  /**
   * Resolves once the player has loaded the manifest (playback starts muted); rejects with the explained reason
   * when the play request is refused or the player fails before that. Later failures show in state().fatalError.
   */
  async function play(assetId, protocol) {
    if (protocol !== 'hls' && protocol !== 'dash')
      throw new Error(`protocol must be "hls" or "dash", not "${protocol}"`);
    if (typeof assetId !== 'string' || assetId === '') throw new Error('an assetId is required');
    stop();
    const attempt = { assetId, protocol, fatalError: undefined, player: undefined };
    current = attempt;
    notify();
    const fail = (error) => {
      attempt.fatalError ??= explainPlaybackError(error);
      if (current === attempt) notify();
      return new Error(attempt.fatalError);
    };
    let grant;
    try {
      grant = await requestJson(`${options.edgeUrl}/api/play/${encodeURIComponent(assetId)}`, {
        method: 'POST',
        token: await options.token(),
        credentials: 'include',
      });
      const url = grant?.playback?.[protocol];
      if (typeof url !== 'string') throw new PlaybackError(`the play answer has no ${protocol} URL`);
      if (current !== attempt) return;
      if (grant.thumbnails?.poster) video.poster = grant.thumbnails.poster;
      notify(grant);
      const attach = protocol === 'hls' ? attachHls : attachDash;
      attempt.player = await attach(video, url, fail);
      if (current !== attempt) {
        attempt.player.destroy();
        return;
      }
      await attempt.player.ready;
    } catch (error) {
      throw fail(error);
    }
    // Autoplay is allowed for muted video; a refusal here still leaves the controls for the person.
    video.play().catch(() => undefined);
    notify(grant);
  }

  video.addEventListener('playing', () => notify());
  video.addEventListener('pause', () => notify());
  return { play, state, stop };
}
