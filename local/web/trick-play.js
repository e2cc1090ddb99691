// Trick play: the transcode's thumbnail track (a WebVTT of image tiles, `#xywh=` fragments) shown as a strip of
// scenes under the player; choosing one seeks there. The tiles are behind the same signed cookies as the video.
import { h } from './create-element.js';

const TRACK = 'index_thumbnails.vtt';

/** `00:01:02.500` -> 62.5 */
function seconds(timestamp) {
  const parts = timestamp.split(':').map(Number);
  return parts.reduce((total, part) => total * 60 + part, 0);
}

/** The cues of a thumbnail WebVTT: start time, image URL (resolved against the track) and the tile's rectangle. */
export function parseThumbnailTrack(text, trackUrl) {
  if (!text.startsWith('WEBVTT')) throw new Error('not a WebVTT track');
  const cues = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    const lines = block.split(/\r?\n/).filter(Boolean);
    const timing = lines.findIndex((line) => line.includes('-->'));
    const target = lines[timing + 1];
    if (timing < 0 || !target) continue;
    const [image, fragment = ''] = target.split('#');
    const box = /xywh=(\d+),(\d+),(\d+),(\d+)/.exec(fragment);
    cues.push({
      start: seconds(lines[timing].split('-->')[0].trim()),
      url: new URL(image, trackUrl).href,
      box: box ? box.slice(1).map(Number) : undefined,
    });
  }
  return cues;
}

function tile(cue, video) {
  const label = `${Math.floor(cue.start / 60)}:${String(Math.floor(cue.start % 60)).padStart(2, '0')}`;
  const picture = h('span', { class: 'scene-picture' });
  picture.style.backgroundImage = `url("${cue.url.replace(/"/g, '%22')}")`;
  if (cue.box) {
    const [x, y, width, height] = cue.box;
    picture.style.backgroundPosition = `-${x}px -${y}px`;
    picture.style.width = `${width}px`;
    picture.style.height = `${height}px`;
  }
  return h(
    'button',
    {
      type: 'button',
      class: 'scene',
      title: `Play from ${label}`,
      onclick: () => {
        video.currentTime = cue.start;
        video.play().catch(() => undefined);
      },
    },
    picture,
    h('span', { class: 'scene-time', text: label }),
  );
}

/** Shows the scenes of `trickplayFolder` in `container`; hides it when the asset has no thumbnail track. */
export async function showTrickPlay(container, trickplayFolder, video) {
  container.replaceChildren();
  container.hidden = true;
  if (!trickplayFolder) return;
  const trackUrl = new URL(TRACK, trickplayFolder).href;
  const response = await fetch(trackUrl, { credentials: 'include' }).catch(() => undefined);
  if (!response?.ok) return;
  const cues = parseThumbnailTrack(await response.text(), trackUrl);
  if (cues.length === 0) return;
  container.append(
    h('p', { class: 'subtle', text: 'Scenes' }),
    h('div', { class: 'scenes' }, ...cues.map((cue) => tile(cue, video))),
  );
  container.hidden = false;
}
