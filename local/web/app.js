// vodflow local page: upload, follow the workflow live, browse the catalogue, play through the local edge, inspect
// the pipeline. Plain ES modules, no build step; the players come from the app server at /vendor/.
//
// HTTP contract with the local app server (same origin) and the local edge (config.edgeUrl):
//   GET  /local/config                      -> { edgeUrl: 'http://127.0.0.1:8451', apiBase: '/api' }
//   POST /auth/token  { user, entitlements } -> { access_token, token_type: 'Bearer', expires_in }
//   POST /api/uploads (Bearer) { fileName, contentType, size, title?, accessLevel? }
//        -> 201 { assetId, status, upload: { method: 'PUT', url, headers, expiresAt } }
//        |  201 { assetId, status, upload: { method: 'MULTIPART', uploadId, partSize, parts: [{ partNumber, url }],
//                                            complete: { method, url, headers? }, abort: { method, url } } }
//        complete = S3 CompleteMultipartUpload: POST <CompleteMultipartUpload><Part><PartNumber>1</PartNumber>
//        <ETag>"…"</ETag></Part>…</CompleteMultipartUpload>, each ETag read from that part's PUT response header.
//        Errors: 4xx { message }.
//   GET  /api/videos?status=&limit=&next= (Bearer optional)
//        -> { items: [{ assetId, title, status, accessLevel, duration, poster, publishedAt }], next? }
//   GET  /api/videos/{assetId} (Bearer) -> { assetId, title, status, progress, duration,
//        renditions: [{ name, width, height, maxBitrate, codec }], poster, trickplay, playback?: { hls, dash },
//        error?: { state, error, cause } }
//   POST {edgeUrl}/api/play/{assetId} (Bearer, credentials: 'include') -> Set-Cookie CloudFront-* on the edge host,
//        { assetId, playback: { hls, dash }, thumbnails: { poster, trickplay }, expiresAt };
//        401/403/404/409 { message }
//   GET  /local/executions -> [{ executionArn, name, status, startDate, stopDate?, redriveCount, failedState? }]
//   GET  /local/queues     -> [{ name, depth, messages: [{ body, attributes, sentAt, receiveCount }] }]
//   GET  /local/topics     -> [{ name, messages: [{ message, subject, attributes, publishedAt }] }]
//   GET  /vendor/hls.min.js, /vendor/dash.all.min.js -> the players from node_modules
// Test hook: window.vodflow = { play(assetId, 'hls' | 'dash'): Promise<void>, state(): { currentTime, paused,
// protocol, assetId, fatalError? } } (see test-hook.js).
import { describeError, requestJson } from './api-client.js';
import { PLAYABLE_STATUSES, describeStatus, formatDuration } from './asset-status.js';
import { createCatalogue } from './catalogue-view.js';
import { h } from './create-element.js';
import { followAsset } from './follow-asset.js';
import { startPipelinePanel } from './pipeline-panel.js';
import { createPlayback } from './playback.js';
import { showTrickPlay } from './trick-play.js';
import { createSession } from './session.js';
import { exposeTestHook } from './test-hook.js';
import { uploadFile } from './upload-file.js';

const $ = (id) => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element;
};

function formatBytes(bytes) {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function showPageError(message) {
  const banner = $('page-error');
  banner.textContent = message;
  banner.hidden = false;
}

async function main() {
  const config = await requestJson('/local/config');
  if (typeof config?.edgeUrl !== 'string') throw new Error('GET /local/config answered without an edgeUrl');
  const edgeUrl = config.edgeUrl.replace(/\/+$/, '');

  const session = createSession();
  const token = () => session.token();

  const playerStatus = $('player-status');
  let catalogue;
  let shownTrickPlay;
  const playback = createPlayback($('video'), {
    edgeUrl,
    token,
    onChange(state, grant) {
      playerStatus.classList.toggle('error', Boolean(state.fatalError));
      playerStatus.setAttribute('role', state.fatalError ? 'alert' : 'status');
      if (state.fatalError) playerStatus.textContent = state.fatalError;
      else if (!state.assetId) playerStatus.textContent = 'Nothing playing.';
      else if (grant) {
        const expires = grant.expiresAt
          ? `; cookies valid until ${new Date(grant.expiresAt).toLocaleTimeString()}`
          : '';
        playerStatus.textContent = `${state.assetId} with ${state.protocol.toUpperCase()}${expires}`;
        if (grant.thumbnails?.poster) catalogue?.showPoster(state.assetId, grant.thumbnails.poster);
        if (grant.thumbnails?.trickplay !== shownTrickPlay) {
          shownTrickPlay = grant.thumbnails?.trickplay;
          showTrickPlay($('trick-play'), shownTrickPlay, $('video')).catch(() => undefined);
        }
      } else if (state.currentTime === 0) playerStatus.textContent = `Requesting playback of ${state.assetId}…`;
    },
  });
  const play = (assetId, protocol) => {
    $('player-section').scrollIntoView({ behavior: 'smooth', block: 'nearest' });
    // The status line shows the reason; nothing else to do with the rejection here.
    playback.play(assetId, protocol).catch(() => undefined);
  };

  // Workflow view: one followed asset at a time.
  let following;
  function renderAsset(video) {
    const status = describeStatus(video);
    $('asset-status').textContent = status.label;
    $('asset-status').dataset.tone = status.tone;
    $('asset-status').dataset.status = video.status;
    $('asset-detail').textContent = status.detail;
    $('asset-problem').textContent = '';
    const progress = $('asset-progress');
    if (status.percent === undefined) progress.removeAttribute('value');
    else progress.value = status.percent;
    progress.hidden = status.tone === 'failed';
    const facts = [];
    if (video.title) facts.push(['Title', video.title]);
    if (video.duration) facts.push(['Duration', formatDuration(video.duration)]);
    for (const rendition of video.renditions ?? []) {
      const kbps = rendition.maxBitrate ? ` · ${Math.round(rendition.maxBitrate / 1000)} kb/s` : '';
      facts.push([rendition.name, `${rendition.width}×${rendition.height}${kbps} · ${rendition.codec ?? ''}`]);
    }
    $('asset-facts').replaceChildren(
      ...facts.flatMap(([term, value]) => [h('dt', { text: term }), h('dd', { text: value })]),
    );
    const actions = PLAYABLE_STATUSES.has(video.status)
      ? [
          h('button', { type: 'button', text: 'Play HLS', onclick: () => play(video.assetId, 'hls') }),
          h('button', { type: 'button', text: 'Play DASH', onclick: () => play(video.assetId, 'dash') }),
        ]
      : [];
    $('asset-actions').replaceChildren(...actions);
  }
  function follow(assetId) {
    following?.stop();
    $('asset-empty').hidden = true;
    $('asset-view').hidden = false;
    $('asset-id').textContent = assetId;
    $('asset-status').textContent = 'Loading…';
    $('asset-detail').textContent = '';
    $('asset-facts').replaceChildren();
    $('asset-actions').replaceChildren();
    const current = followAsset(assetId, {
      token,
      onUpdate: renderAsset,
      onProblem: (message) => {
        $('asset-problem').textContent = message;
      },
    });
    following = current;
    current.done.then(
      (video) => {
        if (video && following === current) void catalogue.refresh();
      },
      () => undefined,
    );
  }

  catalogue = createCatalogue(
    {
      list: $('catalogue-list'),
      filter: $('catalogue-filter'),
      more: $('catalogue-more'),
      refresh: $('catalogue-refresh'),
      status: $('catalogue-status'),
    },
    { token, onPlay: play, onFollow: follow },
  );

  // Upload.
  const uploadStatus = $('upload-status');
  const uploadProgress = $('upload-progress');
  $('upload-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const file = $('upload-file').files?.[0];
    if (!file) {
      uploadStatus.textContent = 'Choose a video file first.';
      return;
    }
    const button = $('upload-button');
    button.disabled = true;
    uploadStatus.classList.remove('error');
    uploadProgress.value = 0;
    uploadStatus.textContent = `Requesting an upload for ${file.name}…`;
    try {
      const uploaded = await uploadFile(file, {
        token: await token(),
        title: $('upload-title').value.trim(),
        accessLevel: $('upload-access').value,
        onCreated: ({ assetId }) => follow(assetId),
        onProgress: (sent, total) => {
          const percent = total > 0 ? Math.floor((sent / total) * 100) : 100;
          uploadProgress.value = percent;
          uploadStatus.textContent = `Uploading ${file.name}: ${percent}% (${formatBytes(sent)} of ${formatBytes(total)})`;
        },
      });
      uploadProgress.value = 100;
      uploadStatus.textContent = `Uploaded ${file.name} (${formatBytes(file.size)}) as ${uploaded.assetId}.`;
      void catalogue.refresh();
    } catch (error) {
      uploadStatus.textContent = `Upload failed: ${describeError(error)}`;
      uploadStatus.classList.add('error');
    } finally {
      button.disabled = !session.identity().entitlements.includes('uploader');
    }
  });

  // Identity.
  const identitySelect = $('identity');
  const sessionStatus = $('session-status');
  session.onChange(() => {
    const identity = session.identity();
    identitySelect.value = identity.key;
    sessionStatus.textContent =
      identity.user === null ? 'Anonymous viewer (no token)' : `Signed in as ${identity.label}`;
    sessionStatus.classList.remove('error');
    const canUpload = identity.entitlements.includes('uploader');
    $('upload-button').disabled = !canUpload;
    $('upload-hint').hidden = canUpload;
    void catalogue.refresh();
  });
  async function switchIdentity(key) {
    try {
      await session.use(key);
    } catch (error) {
      sessionStatus.textContent = `Sign-in failed: ${describeError(error)}`;
      sessionStatus.classList.add('error');
    }
  }
  identitySelect.addEventListener('change', () => void switchIdentity(identitySelect.value));

  await switchIdentity('operator');
  exposeTestHook(playback);

  startPipelinePanel({
    executions: $('pipeline-executions'),
    queues: $('pipeline-queues'),
    topics: $('pipeline-topics'),
    status: $('pipeline-status'),
  });
}

main().catch((error) => showPageError(`The page could not start: ${describeError(error)}`));
