// The catalogue: GET /api/videos page by page, filtered by status. Posters sit behind the signed cookies, which
// exist only after a play, so a card shows a placeholder until its asset has been played in this page.
import { describeError, requestJson } from './api-client.js';
import { PLAYABLE_STATUSES, describeStatus, formatDuration } from './asset-status.js';
import { formatTime, h } from './create-element.js';

const PAGE_SIZE = 12;

/**
 * @param {{ list: HTMLElement, filter: HTMLSelectElement, more: HTMLButtonElement, refresh: HTMLButtonElement,
 *           status: HTMLElement }} elements
 * @param {{ token: () => Promise<string | undefined>, onPlay: (assetId: string, protocol: 'hls' | 'dash') => void,
 *           onFollow: (assetId: string) => void }} actions
 */
export function createCatalogue(elements, actions) {
  const posters = new Map();
  let next;
  let generation = 0;

  function card(video) {
    const status = describeStatus(video);
    const title = video.title || video.assetId;
    const poster = posters.get(video.assetId);
    const playable = PLAYABLE_STATUSES.has(video.status);
    return h(
      'li',
      { class: 'card', 'data-asset-id': video.assetId, 'data-status': video.status },
      poster
        ? h('img', { class: 'poster', src: poster, alt: `Poster of ${title}`, loading: 'lazy' })
        : h('div', { class: 'poster placeholder', 'aria-hidden': 'true', text: playable ? '▶' : '…' }),
      h(
        'div',
        { class: 'card-body' },
        h('h3', { class: 'card-title', text: title }),
        h(
          'p',
          { class: 'card-meta' },
          h('span', { class: `badge tone-${status.tone}`, text: status.label }),
          video.duration ? ` ${formatDuration(video.duration)}` : '',
          video.accessLevel ? ` · ${video.accessLevel}` : '',
        ),
        video.publishedAt ? h('p', { class: 'card-date', text: `Published ${formatTime(video.publishedAt)}` }) : null,
        h(
          'div',
          { class: 'card-actions' },
          playable
            ? h('button', {
                type: 'button',
                text: 'Play HLS',
                'aria-label': `Play ${title} with HLS`,
                onclick: () => actions.onPlay(video.assetId, 'hls'),
              })
            : null,
          playable
            ? h('button', {
                type: 'button',
                text: 'Play DASH',
                'aria-label': `Play ${title} with DASH`,
                onclick: () => actions.onPlay(video.assetId, 'dash'),
              })
            : null,
          h('button', {
            type: 'button',
            class: 'secondary',
            text: 'Status',
            'aria-label': `Status of ${title}`,
            onclick: () => actions.onFollow(video.assetId),
          }),
        ),
      ),
    );
  }

  async function load(append) {
    const mine = ++generation;
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (elements.filter.value) query.set('status', elements.filter.value);
    if (append && next) query.set('next', next);
    elements.status.textContent = 'Loading…';
    elements.status.classList.remove('error');
    try {
      const page = await requestJson(`/api/videos?${query}`, { token: await actions.token() });
      if (mine !== generation) return;
      if (!Array.isArray(page?.items)) throw new Error('GET /api/videos answered without items');
      const cards = page.items.map(card);
      if (append) elements.list.append(...cards);
      else elements.list.replaceChildren(...cards);
      next = page.next;
      elements.more.hidden = !next;
      const shown = elements.list.children.length;
      elements.status.textContent = shown === 0 ? 'No videos match.' : `${shown} video${shown === 1 ? '' : 's'}`;
    } catch (error) {
      if (mine !== generation) return;
      elements.status.textContent = `Cannot load the catalogue: ${describeError(error)}`;
      elements.status.classList.add('error');
    }
  }

  elements.filter.addEventListener('change', () => void load(false));
  elements.refresh.addEventListener('click', () => void load(false));
  elements.more.addEventListener('click', () => void load(true));

  return {
    refresh: () => load(false),
    /** Called after a successful play: the cookies now cover this asset's poster. */
    showPoster(assetId, url) {
      posters.set(assetId, url);
      const placeholder = elements.list.querySelector(`[data-asset-id="${CSS.escape(assetId)}"] .poster`);
      const title = placeholder?.closest('.card')?.querySelector('.card-title')?.textContent ?? assetId;
      placeholder?.replaceWith(h('img', { class: 'poster', src: url, alt: `Poster of ${title}` }));
    },
  };
}
