import type { ObjectStore } from '../../../../local/seam/object-store';

/**
 * A small CMAF folder shaped like the local MediaConvert's output: an HLS master, per-rung media playlists with
 * init and media segments, and a DASH MPD over the same segments. Segment bytes are dummies: packaging never
 * parses them.
 */
export const MEDIA_BUCKET = 'vodflow-test-media';

export const MASTER = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio_aac",NAME="audio",DEFAULT=YES,AUTOSELECT=YES,URI="index_audio.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=2500000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",AUDIO="audio_aac"
index_720p.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2",AUDIO="audio_aac"
./index_360p.m3u8
`;

const mediaPlaylist = (rung: string) => `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:6
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-MAP:URI="index_${rung}_init.mp4"
#EXTINF:6.000,
index_${rung}_00001.m4s
#EXTINF:4.000,
index_${rung}_00002.m4s
#EXT-X-ENDLIST
`;

export const MPD = `<?xml version="1.0" encoding="UTF-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT10S" minBufferTime="PT12S" profiles="urn:mpeg:dash:profile:isoff-main:2011">
  <Period id="0" start="PT0S">
    <AdaptationSet mimeType="video/mp4" segmentAlignment="true">
      <SegmentTemplate timescale="1000" initialization="index_$RepresentationID$_init.mp4" media="index_$RepresentationID$_$Number%05d$.m4s" startNumber="1">
        <SegmentTimeline><S t="0" d="6000"/><S d="4000"/></SegmentTimeline>
      </SegmentTemplate>
      <Representation id="720p" bandwidth="2500000" width="1280" height="720" codecs="avc1.64001f"/>
      <Representation id="360p" bandwidth="800000" width="640" height="360" codecs="avc1.64001e"/>
    </AdaptationSet>
    <AdaptationSet mimeType="audio/mp4" lang="und">
      <SegmentTemplate timescale="1000" initialization="index_$RepresentationID$_init.mp4" media="index_$RepresentationID$_$Number%05d$.m4s" startNumber="1">
        <SegmentTimeline><S t="0" d="6000"/><S d="4000"/></SegmentTimeline>
      </SegmentTemplate>
      <Representation id="audio" bandwidth="128000" codecs="mp4a.40.2"/>
    </AdaptationSet>
  </Period>
</MPD>
`;

export const RUNGS = ['720p', '360p', 'audio'];

/** Distinct bytes per file, so a test can tell which file it was served. */
export function segmentBytes(name: string): Buffer {
  return Buffer.from(`dummy media bytes of ${name}: ${'x'.repeat(64)}`);
}

/** Writes the fixture under `<prefix>/cmaf/` and a poster under `<prefix>/poster/`; returns the master's key. */
export async function writeCmafFixture(
  store: ObjectStore,
  prefix: string,
  options: { skip?: string[] } = {},
): Promise<string> {
  const files = new Map<string, string | Buffer>([
    ['index.m3u8', MASTER],
    ['index.mpd', MPD],
  ]);
  for (const rung of RUNGS) {
    files.set(`index_${rung}.m3u8`, mediaPlaylist(rung));
    for (const segment of [`index_${rung}_init.mp4`, `index_${rung}_00001.m4s`, `index_${rung}_00002.m4s`]) {
      files.set(segment, segmentBytes(segment));
    }
  }
  for (const [name, body] of files) {
    if (options.skip?.includes(name)) continue;
    await store.putBytes(MEDIA_BUCKET, `${prefix}/cmaf/${name}`, typeof body === 'string' ? Buffer.from(body) : body);
  }
  await store.putBytes(MEDIA_BUCKET, `${prefix}/poster/poster.0000001.jpg`, segmentBytes('poster'), {
    contentType: 'image/jpeg',
  });
  return `${prefix}/cmaf/index.m3u8`;
}
