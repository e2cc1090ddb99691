import type { H264Settings, JobSettings, Output, OutputGroup } from '@aws-sdk/client-mediaconvert';
import {
  buildJobSettings,
  InvalidJobRequest,
  InvalidJobTemplate,
  loadJobTemplate,
  outputFrameRate,
  TEMPLATE_VERSION,
  type JobSettingsRequest,
} from '../../functions/submit-transcode/build-job-settings';
import { outputLocations } from '../../functions/commons/output-layout';
import type { SourceMedia } from '../../functions/commons/types';
import templateFile from '../../templates/mediaconvert/publish-mp4.v1.json';
import { sourceMedia } from '../support/source-media';

const SOURCE_URI = 's3://vodflow-dev-source/uploads/clip.mov';
const PREFIX = 's3://vodflow-dev-media/assets/a1b2c3/p-0001/';

const media = sourceMedia;

const request = (source: SourceMedia, overrides: Partial<JobSettingsRequest> = {}): JobSettingsRequest => ({
  template: loadJobTemplate(),
  sourceUri: SOURCE_URI,
  destinationPrefix: PREFIX,
  media: source,
  ...overrides,
});

const groupNamed = (settings: JobSettings, name: string): OutputGroup | undefined =>
  settings.OutputGroups?.find((group) => group.CustomName === name);
const videoOutputs = (settings: JobSettings): Output[] => groupNamed(settings, 'mp4')?.Outputs ?? [];
const capture = (settings: JobSettings, nameModifier: string): Output | undefined =>
  groupNamed(settings, 'images')?.Outputs?.find((output) => output.NameModifier === nameModifier);
const captureSize = (settings: JobSettings, nameModifier: string): string => {
  const video = capture(settings, nameModifier)?.VideoDescription;
  return `${video?.Width}x${video?.Height}`;
};
const h264 = (output: Output): H264Settings => output.VideoDescription?.CodecSettings?.H264Settings ?? {};
const sizes = (settings: JobSettings): string[] =>
  videoOutputs(settings).map((o) => `${o.NameModifier} ${o.VideoDescription?.Width}x${o.VideoDescription?.Height}`);

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

describe('buildJobSettings', () => {
  it('encodes a 1080p source from 1080p down, points the job at the source and writes under the publish prefix', () => {
    // Act
    const { settings, renditions } = buildJobSettings(request(media(1920, 1080)));

    // Assess
    expect(renditions).toEqual([
      { name: '1080p', width: 1920, height: 1080, maxBitrate: 6_000_000, codec: 'h264' },
      { name: '720p', width: 1280, height: 720, maxBitrate: 3_500_000, codec: 'h264' },
      { name: '540p', width: 960, height: 540, maxBitrate: 2_000_000, codec: 'h264' },
      { name: '360p', width: 640, height: 360, maxBitrate: 1_000_000, codec: 'h264' },
      { name: '270p', width: 480, height: 270, maxBitrate: 500_000, codec: 'h264' },
    ]);
    expect(sizes(settings)).toEqual([
      '_1080p 1920x1080',
      '_720p 1280x720',
      '_540p 960x540',
      '_360p 640x360',
      '_270p 480x270',
    ]);
    expect(settings.Inputs?.[0]?.FileInput).toBe(SOURCE_URI);
    expect(groupNamed(settings, 'mp4')?.OutputGroupSettings).toEqual({
      Type: 'FILE_GROUP_SETTINGS',
      FileGroupSettings: { Destination: `${PREFIX}mp4/index` },
    });
    expect(groupNamed(settings, 'images')?.OutputGroupSettings).toEqual({
      Type: 'FILE_GROUP_SETTINGS',
      FileGroupSettings: { Destination: `${PREFIX}images/index` },
    });
  });

  it('tops a 720p source out at 720p', () => {
    const { renditions } = buildJobSettings(request(media(1280, 720)));

    expect(renditions.map((r) => r.name)).toEqual(['720p', '540p', '360p', '270p']);
  });

  it('adds the 2160p rung, 15 Mbps, for a UHD source only', () => {
    const uhd = buildJobSettings(request(media(3840, 2160))).renditions;
    const qhd = buildJobSettings(request(media(2560, 1440))).renditions;
    const nearlyUhd = buildJobSettings(request(media(3200, 1800))).renditions;

    expect(uhd[0]).toEqual({ name: '2160p', width: 3840, height: 2160, maxBitrate: 15_000_000, codec: 'h264' });
    expect(uhd).toHaveLength(6);
    expect(qhd[0]?.name).toBe('1080p');
    expect(nearlyUhd[0]).toMatchObject({ name: '1080p', width: 1920, height: 1080 });
  });

  it('keeps a portrait source portrait, comparing rungs on the short side', () => {
    // Act
    const { settings, renditions } = buildJobSettings(request(media(1080, 1920)));

    // Assess
    expect(renditions.map((r) => `${r.name} ${r.width}x${r.height}`)).toEqual([
      '1080p 1080x1920',
      '720p 720x1280',
      '540p 540x960',
      '360p 360x640',
      '270p 270x480',
    ]);
    expect(captureSize(settings, '_poster')).toBe('720x1280');
    expect(captureSize(settings, '_thumbnails')).toBe('180x320');
  });

  it('gives a source smaller than the lowest rung one rendition at its own size, never upscaled', () => {
    const { settings, renditions } = buildJobSettings(request(media(320, 240)));

    expect(renditions).toEqual([{ name: '270p', width: 320, height: 240, maxBitrate: 500_000, codec: 'h264' }]);
    expect(sizes(settings)).toEqual(['_270p 320x240']);
  });

  it('keeps the aspect ratio of a source wider than 16:9 by comparing its long side', () => {
    const { renditions } = buildJobSettings(request(media(1920, 800)));

    expect(renditions.map((r) => `${r.name} ${r.width}x${r.height}`)).toEqual([
      '1080p 1920x800',
      '720p 1280x534',
      '540p 960x400',
      '360p 640x266',
      '270p 480x200',
    ]);
  });

  it('gives a source between two rungs the rung above at its own size when it is nearer to it', () => {
    const sd = buildJobSettings(request(media(854, 480))).renditions;
    const cropped = buildJobSettings(request(media(1916, 1076))).renditions;
    const between = buildJobSettings(request(media(1440, 810))).renditions;

    expect(sd.map((r) => `${r.name} ${r.width}x${r.height}`)).toEqual(['540p 854x480', '360p 640x360', '270p 480x270']);
    expect(cropped[0]).toMatchObject({ name: '1080p', width: 1916, height: 1076, maxBitrate: 6_000_000 });
    expect(between[0]).toMatchObject({ name: '720p', width: 1280, height: 720 });
  });

  it('never makes a rung larger than the source; keeps sizes even, the aspect ratio and bitrates descending', () => {
    const widths = [96, 320, 480, 640, 853, 960, 1280, 1366, 1440, 1920, 2048, 2560, 3840, 4096];
    const heights = [96, 240, 270, 360, 480, 540, 720, 800, 1080, 1200, 1440, 2160];
    for (const width of widths) {
      for (const height of heights) {
        for (const [w, h] of [
          [width, height],
          [height, width],
        ] as const) {
          const { renditions } = buildJobSettings(request(media(w, h)));
          const aspect = w / h;

          expect(renditions.length).toBeGreaterThan(0);
          for (const r of renditions) {
            expect(r.width).toBeLessThanOrEqual(w);
            expect(r.height).toBeLessThanOrEqual(h);
            expect((r.width % 2) + (r.height % 2)).toBe(0);
            expect(Math.abs(r.width - r.height * aspect)).toBeLessThanOrEqual(1 + aspect);
            expect(Math.min(r.width, r.height)).toBeGreaterThanOrEqual(32);
            expect((r.height - r.width) * (h - w)).toBeGreaterThanOrEqual(0);
          }
          renditions.slice(1).forEach((r, i) => {
            expect(r.maxBitrate).toBeLessThan(renditions[i]?.maxBitrate ?? 0);
          });
          // Up to 4:1 the lowest rung is always there; beyond, it would be under 32 px (next test).
          expect(Math.max(w, h) / Math.min(w, h) > 4 || renditions.at(-1)?.name === '270p').toBe(true);
        }
      }
    }
  });

  it('skips rungs an extreme aspect ratio would shrink under 32 pixels, and refuses when none is left', () => {
    const banner = buildJobSettings(request(media(4000, 100))).renditions;

    expect(banner.map((r) => `${r.name} ${r.width}x${r.height}`)).toEqual([
      '2160p 3840x96',
      '1080p 1920x48',
      '720p 1280x32',
    ]);
    const bannerJob = buildJobSettings(request(media(4000, 100))).settings;
    expect([captureSize(bannerJob, '_poster'), captureSize(bannerJob, '_thumbnails')]).toEqual(['1280x32', '1280x32']);
    expect(() => buildJobSettings(request(media(8000, 40)))).toThrow(InvalidJobRequest);
  });

  it('gives every rung the same GOP and frame-rate settings', () => {
    // Act
    const { settings } = buildJobSettings(request(media(3840, 2160)));

    // Assess
    const cadence = videoOutputs(settings).map((output) => {
      const { GopSize, GopSizeUnits, GopClosedCadence, MinIInterval, SceneChangeDetect, FramerateControl } =
        h264(output);
      return { GopSize, GopSizeUnits, GopClosedCadence, MinIInterval, SceneChangeDetect, FramerateControl };
    });
    expect(new Set(cadence.map((c) => JSON.stringify(c))).size).toBe(1);
    expect(cadence[0]).toEqual({
      GopSize: 2,
      GopSizeUnits: 'SECONDS',
      GopClosedCadence: 1,
      MinIInterval: 0,
      SceneChangeDetect: 'TRANSITION_DETECTION',
      FramerateControl: 'INITIALIZE_FROM_SOURCE',
    });
  });

  it('keeps max bitrates strictly descending in the job, as in the renditions', () => {
    const { settings, renditions } = buildJobSettings(request(media(3840, 2160)));

    const caps = videoOutputs(settings).map((output) => h264(output).MaxBitrate ?? 0);
    expect(caps).toEqual(renditions.map((r) => r.maxBitrate));
    expect(caps).toEqual([...caps].sort((a, b) => b - a));
    expect(new Set(caps).size).toBe(caps.length);
  });

  it('muxes the AAC audio into every MP4, moov first for progressive download, when the source has audio', () => {
    const outputs = videoOutputs(buildJobSettings(request(media(1920, 1080))).settings);

    for (const output of outputs) {
      expect(output.AudioDescriptions).toEqual([
        expect.objectContaining({ AudioSourceName: 'Audio Selector 1' }) as unknown,
      ]);
      expect(output.ContainerSettings).toEqual({
        Container: 'MP4',
        Mp4Settings: expect.objectContaining({ MoovPlacement: 'PROGRESSIVE_DOWNLOAD' }) as unknown,
      });
    }
  });

  it('drops the audio descriptions and the audio selector when the source has no audio', () => {
    // Act
    const { settings, renditions } = buildJobSettings(request(media(1920, 1080, { hasAudio: false })));

    // Assess
    const outputs = videoOutputs(settings);
    expect(outputs.some((output) => output.AudioDescriptions)).toBe(false);
    expect(outputs).toHaveLength(renditions.length);
    expect(settings.Inputs?.[0]?.AudioSelectors).toBeUndefined();
    expect(JSON.stringify(settings)).not.toContain('Audio Selector 1');
  });

  it('never modifies the template it is given, and returns settings that share nothing with it', () => {
    // Arrange
    const template = deepFreeze(loadJobTemplate());
    const before = JSON.stringify(template);

    // Act
    const first = buildJobSettings(request(media(1080, 1920, { hasAudio: false }), { template }));
    const second = buildJobSettings(request(media(320, 240), { template }));

    // Assess
    expect(JSON.stringify(template)).toBe(before);
    expect(sizes(first.settings)[0]).toBe('_1080p 1080x1920');
    expect(sizes(second.settings)).toEqual(['_270p 320x240']);
    expect(first.settings.OutputGroups?.[0]).not.toBe(template.OutputGroups?.[0]);
  });

  it('reduces slow-motion frame rates to an exact divisor at or under 60 fps and leaves others alone', () => {
    const { settings } = buildJobSettings(request(media(1920, 1080, { frameRate: 240 })));

    const rates = videoOutputs(settings).map((o) => {
      const { FramerateControl, FramerateNumerator, FramerateDenominator } = h264(o);
      return `${FramerateControl} ${FramerateNumerator}/${FramerateDenominator}`;
    });
    expect(rates).toEqual(['SPECIFIED 60/1', 'SPECIFIED 60/1', 'SPECIFIED 60/1', 'SPECIFIED 60/1', 'SPECIFIED 60/1']);
    expect(outputFrameRate(119.88)).toEqual({ numerator: 60000, denominator: 1001 });
    expect(outputFrameRate(100)).toEqual({ numerator: 50, denominator: 1 });
    expect(outputFrameRate(59.94)).toBeUndefined();
    expect(outputFrameRate(60.02)).toBeUndefined();
    expect(outputFrameRate(Number.NaN)).toBeUndefined();
  });

  it('sizes the poster to a long side of at most 1280 and thumbnails to 320, without upscaling', () => {
    const sizes = (source: SourceMedia) => {
      const { settings } = buildJobSettings(request(source));
      return [captureSize(settings, '_poster'), captureSize(settings, '_thumbnails')];
    };

    expect(sizes(media(3840, 2160))).toEqual(['1280x720', '320x180']);
    expect(sizes(media(1440, 1080))).toEqual(['1280x960', '320x240']);
    expect(sizes(media(640, 360))).toEqual(['640x360', '320x180']);
    expect(sizes(media(240, 160))).toEqual(['240x160', '240x160']);
  });

  it('returns the trick-play cadence and size the WebVTT track will describe', () => {
    const { settings, trickplay } = buildJobSettings(request(media(1280, 720)));

    expect(trickplay).toEqual({ intervalSeconds: 6, width: 320, height: 180 });
    expect(capture(settings, '_thumbnails')?.VideoDescription?.CodecSettings?.FrameCaptureSettings).toMatchObject({
      FramerateNumerator: 1,
      FramerateDenominator: 6,
    });
  });

  it.each([
    ['a zero width', media(0, 1080)],
    ['a NaN height', media(1920, Number.NaN)],
    ['a side under 32 pixels', media(24, 24)],
  ])('rejects a source with %s', (_case, source) => {
    expect(() => buildJobSettings(request(source))).toThrow(InvalidJobRequest);
  });

  it.each([
    ['a source that is not an S3 object', { sourceUri: 'https://example.com/clip.mp4' }],
    ['a source that is a folder', { sourceUri: 's3://bucket/uploads/' }],
    ['a destination without the trailing slash', { destinationPrefix: 's3://bucket/assets/a/p' }],
    ['a destination outside S3', { destinationPrefix: '/tmp/assets/a/p/' }],
  ])('rejects %s', (_case, overrides) => {
    expect(() => buildJobSettings(request(media(1920, 1080), overrides))).toThrow(InvalidJobRequest);
  });

  it.each([
    [
      'no MP4 group',
      (t: JobSettings) => ({ ...t, OutputGroups: t.OutputGroups?.filter((g) => g.CustomName !== 'mp4') }),
    ],
    [
      'no frame capture group',
      (t: JobSettings) => ({ ...t, OutputGroups: t.OutputGroups?.filter((g) => g.CustomName !== 'images') }),
    ],
    [
      'no thumbnails capture',
      (t: JobSettings) => {
        const copy = structuredClone(t);
        const images = copy.OutputGroups?.find((g) => g.CustomName === 'images');
        if (images) images.Outputs = images.Outputs?.filter((o) => o.NameModifier !== '_thumbnails');
        return copy;
      },
    ],
    ['two inputs', (t: JobSettings) => ({ ...t, Inputs: [...(t.Inputs ?? []), ...(t.Inputs ?? [])] })],
    [
      'a rung without a name',
      (t: JobSettings) => {
        const copy = structuredClone(t);
        const first = copy.OutputGroups?.[0]?.Outputs?.[0];
        if (first) delete first.NameModifier;
        return copy;
      },
    ],
    [
      'rungs out of order',
      (t: JobSettings) => {
        const copy = structuredClone(t);
        copy.OutputGroups?.[0]?.Outputs?.reverse();
        return copy;
      },
    ],
    ['something that is not JobSettings', () => ({ Outputs: [] }) as JobSettings],
  ])('rejects a template with %s', (_case, breakTemplate) => {
    expect(() => buildJobSettings(request(media(1920, 1080), { template: breakTemplate(loadJobTemplate()) }))).toThrow(
      InvalidJobTemplate,
    );
  });
});

describe('loadJobTemplate', () => {
  it(`returns ${TEMPLATE_VERSION} as a fresh copy each time`, () => {
    const first = loadJobTemplate();
    const second = loadJobTemplate();

    expect(TEMPLATE_VERSION).toBe('publish-mp4.v1');
    expect(first).toEqual(templateFile);
    expect(first).not.toBe(second);
    expect(first.OutputGroups).not.toBe(second.OutputGroups);
  });
});

describe('outputLocations', () => {
  it('names the MP4 and frame capture destinations (folder and base name) under the publish prefix', () => {
    expect(outputLocations(PREFIX)).toEqual({
      mp4Destination: `${PREFIX}mp4/index`,
      imagesDestination: `${PREFIX}images/index`,
    });
  });
});
