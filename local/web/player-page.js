// Standalone player: player.html?asset=<id>&protocol=hls|dash[&viewer=anonymous]. Signs in as the dev user (or
// stays anonymous), POSTs /play to the edge and plays; window.vodflow is the same hook as on the main page.
import { describeError, requestJson } from './api-client.js';
import { createPlayback } from './playback.js';
import { createSession } from './session.js';
import { exposeTestHook } from './test-hook.js';

const $ = (id) => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element;
};

function showStatus(message, isError) {
  const status = $('player-status');
  status.textContent = message;
  status.classList.toggle('error', isError);
  status.setAttribute('role', isError ? 'alert' : 'status');
}

async function main() {
  const query = new URLSearchParams(location.search);
  const assetId = query.get('asset') ?? '';
  const protocol = query.get('protocol') ?? 'hls';
  const viewer = query.get('viewer') === 'anonymous' ? 'anonymous' : 'operator';
  $('player-asset').textContent = assetId;
  const other = protocol === 'dash' ? 'hls' : 'dash';
  const otherQuery = new URLSearchParams(query);
  otherQuery.set('protocol', other);
  $('other-protocol').textContent = other.toUpperCase();
  $('other-protocol').setAttribute('href', `?${otherQuery}`);

  const config = await requestJson('/local/config');
  if (typeof config?.edgeUrl !== 'string') throw new Error('GET /local/config answered without an edgeUrl');
  const session = createSession();
  await session.use(viewer);
  const identity = session.identity();
  $('session-status').textContent = identity.user === null ? 'Anonymous viewer' : `Signed in as ${identity.label}`;

  const playback = createPlayback($('video'), {
    edgeUrl: config.edgeUrl.replace(/\/+$/, ''),
    token: () => session.token(),
    onChange(state) {
      if (state.fatalError) showStatus(state.fatalError, true);
      else if (state.assetId) showStatus(`${state.assetId} with ${state.protocol.toUpperCase()}`, false);
    },
  });
  exposeTestHook(playback);

  if (!assetId) {
    showStatus('Add ?asset=<assetId>&protocol=hls|dash to the address.', true);
    return;
  }
  if (protocol !== 'hls' && protocol !== 'dash') {
    showStatus(`protocol must be hls or dash, not "${protocol}"`, true);
    return;
  }
  // The reason is shown by onChange and kept in state().fatalError.
  await playback.play(assetId, protocol).catch(() => undefined);
}

main().catch((error) => showStatus(`The player could not start: ${describeError(error)}`, true));
