// window.vodflow: the small surface browser tests drive (and a person can use from the console).
//   play(assetId, 'hls' | 'dash') -> Promise<void>   resolves when the manifest is loaded, rejects with the reason
//   state() -> { currentTime, paused, protocol, assetId, fatalError? }

/** @param {{ play: (assetId: string, protocol: string) => Promise<void>, state: () => object }} playback */
export function exposeTestHook(playback) {
  window.vodflow = Object.freeze({
    play: (assetId, protocol) => playback.play(assetId, protocol),
    state: () => playback.state(),
  });
}
