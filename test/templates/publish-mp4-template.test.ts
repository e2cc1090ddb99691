import type { H264Settings, JobSettings, Output } from '@aws-sdk/client-mediaconvert';
import {
  buildJobSettings,
  loadJobTemplate,
  TEMPLATE_VERSION,
} from '../../functions/submit-transcode/build-job-settings';
import type { SourceMedia } from '../../functions/commons/types';
import { loadModel, validateShape } from '../support/aws-model';
import { sourceMedia } from '../support/source-media';

/**
 * The job template and the jobs fitted from it must be what MediaConvert's API accepts (members, enums, ranges,
 * patterns of the `JobSettings` shape), and the template must hold the ladder the module comment documents.
 */
const mediaConvert = loadModel('mediaconvert');

const media = sourceMedia;

const fit = (source: SourceMedia): JobSettings =>
  buildJobSettings({
    template: loadJobTemplate(),
    sourceUri: 's3://vodflow-dev-source/uploads/2024/My holiday (final).mov',
    destinationPrefix: 's3://vodflow-dev-media/assets/a1b2c3/p-0001/',
    media: source,
  }).settings;

const groupNamed = (settings: JobSettings, name: string): Output[] =>
  settings.OutputGroups?.find((g) => g.CustomName === name)?.Outputs ?? [];
const mp4Outputs = (settings: JobSettings): Output[] => groupNamed(settings, 'mp4');
const capture = (settings: JobSettings, nameModifier: string): Output | undefined =>
  groupNamed(settings, 'images').find((output) => output.NameModifier === nameModifier);

const h264 = (output: Output): H264Settings => output.VideoDescription?.CodecSettings?.H264Settings ?? {};

describe(`MediaConvert job template ${TEMPLATE_VERSION}`, () => {
  it('is a valid JobSettings as it stands', () => {
    // Act
    const errors = validateShape(mediaConvert, 'JobSettings', loadJobTemplate(), 'Settings');

    // Assess
    expect(errors).toEqual([]);
  });

  it.each([
    ['1080p landscape', media(1920, 1080)],
    ['720p source', media(1280, 720)],
    ['4K source', media(3840, 2160, { frameRate: 59.94 })],
    ['portrait phone clip', media(1080, 1920)],
    ['320x240 tiny source', media(320, 240, { frameRate: 15 })],
    ['source without audio', media(1920, 1080, { hasAudio: false, audioCodec: undefined })],
    ['240 fps slow motion', media(1280, 720, { frameRate: 240 })],
    ['2.39:1 film', media(1920, 804, { frameRate: 24 })],
  ])('fitted to a %s, is a valid JobSettings', (_case, source) => {
    // Act
    const errors = validateShape(mediaConvert, 'JobSettings', fit(source), 'Settings');

    // Assess
    expect(errors).toEqual([]);
  });

  it('fits in a valid CreateJobRequest with the request-level fields a submitter sets', () => {
    // Arrange
    const request = {
      Role: 'arn:aws:iam::123456789012:role/vodflow-dev-mediaconvert',
      Queue: 'arn:aws:mediaconvert:us-east-1:123456789012:queues/Default',
      Settings: fit(media(1920, 1080)),
      ClientRequestToken: 'c0ffee00-1234-4abc-8def-0123456789ab',
      UserMetadata: { correlationId: 'c0ffee00-1234-4abc-8def-0123456789ab' },
      StatusUpdateInterval: 'SECONDS_60',
      BillingTagsSource: 'JOB',
      Tags: { application: 'vodflow', assetId: 'a1b2c3' },
    };

    // Act
    const errors = validateShape(mediaConvert, 'CreateJobRequest', request);

    // Assess
    expect(errors).toEqual([]);
  });

  it('holds the documented ladder, top first', () => {
    // Act
    const ladder = mp4Outputs(loadJobTemplate()).map((output) => ({
      rung: output.NameModifier,
      size: `${output.VideoDescription?.Width}x${output.VideoDescription?.Height}`,
      maxBitrate: h264(output).MaxBitrate,
      qvbr: h264(output).QvbrSettings?.QvbrQualityLevel,
    }));

    // Assess
    expect(ladder).toEqual([
      { rung: '_2160p', size: '3840x2160', maxBitrate: 15_000_000, qvbr: 9 },
      { rung: '_1080p', size: '1920x1080', maxBitrate: 6_000_000, qvbr: 8 },
      { rung: '_720p', size: '1280x720', maxBitrate: 3_500_000, qvbr: 8 },
      { rung: '_540p', size: '960x540', maxBitrate: 2_000_000, qvbr: 7 },
      { rung: '_360p', size: '640x360', maxBitrate: 1_000_000, qvbr: 7 },
      { rung: '_270p', size: '480x270', maxBitrate: 500_000, qvbr: 6 },
    ]);
  });

  it('encodes every rung as H.264 High, level auto, QVBR, with 2 s closed GOPs on a fixed cadence', () => {
    const videos = mp4Outputs(loadJobTemplate());

    for (const output of videos) {
      expect(h264(output)).toMatchObject({
        CodecProfile: 'HIGH',
        CodecLevel: 'AUTO',
        RateControlMode: 'QVBR',
        GopSize: 2,
        GopSizeUnits: 'SECONDS',
        GopClosedCadence: 1,
        MinIInterval: 0,
        SceneChangeDetect: 'TRANSITION_DETECTION',
        HrdBufferSize: 2 * (h264(output).MaxBitrate ?? 0),
      });
    }
  });

  it('writes every rung as a non-fragmented MP4, moov first, H.264 and AAC muxed in one file', () => {
    const outputs = mp4Outputs(loadJobTemplate());

    for (const output of outputs) {
      expect(output.ContainerSettings).toEqual({
        Container: 'MP4',
        Mp4Settings: {
          MoovPlacement: 'PROGRESSIVE_DOWNLOAD',
          CslgAtom: 'INCLUDE',
          FreeSpaceBox: 'EXCLUDE',
          AudioDuration: 'MATCH_VIDEO_DURATION',
        },
      });
      expect(output.VideoDescription?.CodecSettings?.Codec).toBe('H_264');
    }
    expect(loadJobTemplate().OutputGroups?.map((group) => group.OutputGroupSettings?.Type)).toEqual([
      'FILE_GROUP_SETTINGS',
      'FILE_GROUP_SETTINGS',
    ]);
  });

  it('muxes one audio track into every MP4: AAC-LC stereo, 128 kbps, 48 kHz', () => {
    for (const output of mp4Outputs(loadJobTemplate())) {
      expect(output.AudioDescriptions).toEqual([
        expect.objectContaining({
          AudioSourceName: 'Audio Selector 1',
          CodecSettings: {
            Codec: 'AAC',
            AacSettings: expect.objectContaining({
              CodecProfile: 'LC',
              CodingMode: 'CODING_MODE_2_0',
              Bitrate: 128_000,
              SampleRate: 48_000,
            }) as unknown,
          },
        }),
      ]);
    }
  });

  it('captures a JPEG poster at 0 s and 5 s, no wider than 1280, as a RAW frame capture without audio', () => {
    const poster = capture(loadJobTemplate(), '_poster');

    expect(poster?.ContainerSettings).toEqual({ Container: 'RAW' });
    expect(poster?.AudioDescriptions).toBeUndefined();
    expect(poster?.VideoDescription?.CodecSettings).toEqual({
      Codec: 'FRAME_CAPTURE',
      FrameCaptureSettings: { FramerateNumerator: 1, FramerateDenominator: 5, MaxCaptures: 2, Quality: 80 },
    });
    expect(poster?.VideoDescription?.Width).toBeLessThanOrEqual(1280);
  });

  it('captures a trick-play thumbnail every 6 s, enough for the longest accepted source', () => {
    const thumbnails = capture(loadJobTemplate(), '_thumbnails');
    const settings = thumbnails?.VideoDescription?.CodecSettings?.FrameCaptureSettings;

    expect(thumbnails?.ContainerSettings).toEqual({ Container: 'RAW' });
    expect(settings).toMatchObject({ FramerateNumerator: 1, FramerateDenominator: 6 });
    // MAX_SOURCE_DURATION_SECONDS defaults to an hour: 600 captures.
    expect(settings?.MaxCaptures).toBeGreaterThanOrEqual(3600 / 6);
  });
});
