import '../support/function-env';
import {
  BadRequestException,
  InternalServerErrorException,
  MediaConvertClient,
  ProbeCommand,
} from '@aws-sdk/client-mediaconvert';
import type { ProbeResult } from '@aws-sdk/client-mediaconvert';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { SourceRejected } from '../../functions/commons/errors';
import { handler } from '../../functions/probe-source/handler';
import input from '../../events/states/probe-source.json';
import probeResponse from '../../events/mediaconvert/probe-response-1080p.json';

const mediaConvert = mockClient(MediaConvertClient);

/** What MediaConvert's Probe answers for a 1080p29.97 H.264/AAC MP4 (events/mediaconvert/probe-response-1080p.json). */
const landscape = probeResponse.ProbeResults[0] as ProbeResult;

function probeAnswers(result: ProbeResult): void {
  mediaConvert.on(ProbeCommand).resolves({ ProbeResults: [result] });
}

async function rejection(promise: Promise<unknown>): Promise<SourceRejected> {
  await expect(promise).rejects.toThrow(SourceRejected);
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as SourceRejected,
  );
}

describe('probe-source', () => {
  beforeEach(() => {
    mediaConvert.reset();
  });

  it('probes the object in place and describes the media', async () => {
    // Prepare
    probeAnswers(landscape);

    // Act
    const media = await handler(input);

    // Assess
    expect(mediaConvert).toHaveReceivedCommandWith(ProbeCommand, {
      InputFiles: [{ FileUrl: 's3://vodflow-dev-source/uploads/4f9c2b7e1a6d4e0c9b3a/clip.mp4' }],
    });
    expect(media).toEqual({
      durationSeconds: 30.03,
      width: 1920,
      height: 1080,
      frameRate: 29.97,
      videoCodec: 'AVC',
      hasAudio: true,
      audioCodec: 'AAC',
      container: 'mp4',
    });
  });

  it('turns a rotated phone video into a portrait source', async () => {
    const rotated = structuredClone(landscape);
    const video = rotated.Container?.Tracks?.[0]?.VideoProperties;
    if (video) video.Rotation = 90;
    probeAnswers(rotated);

    const media = await handler(input);

    expect({ width: media.width, height: media.height }).toEqual({ width: 1080, height: 1920 });
  });

  it('describes a silent video as having no audio', async () => {
    const silent = structuredClone(landscape);
    silent.Container?.Tracks?.pop();
    probeAnswers(silent);

    await expect(handler(input)).resolves.toMatchObject({ hasAudio: false, audioCodec: '' });
  });

  it('reads the audio language the probe reports, as the ISO 639-2 code a .smil names (ENG -> eng)', async () => {
    const english = structuredClone(landscape);
    const audio = english.Container?.Tracks?.find((track) => track.TrackType === 'audio');
    if (audio) audio.AudioProperties = { ...audio.AudioProperties, LanguageCode: 'ENG' };
    probeAnswers(english);

    await expect(handler(input)).resolves.toMatchObject({ audioLanguage: 'eng' });
  });

  it('leaves the audio language out when the probe reports none', async () => {
    probeAnswers(landscape);

    await expect(handler(input)).resolves.not.toHaveProperty('audioLanguage');
  });

  it('rejects an empty file without calling MediaConvert', async () => {
    const error = await rejection(handler({ source: { ...input.source, size: 0 } }));

    expect(error.reason).toBe('empty');
    expect(error.message).toBe('the uploaded file is empty (0 bytes)');
    expect(mediaConvert).not.toHaveReceivedCommand(ProbeCommand);
  });

  it('rejects a file above the size limit without calling MediaConvert', async () => {
    const error = await rejection(handler({ source: { ...input.source, size: 10737418241 } }));

    expect(error.reason).toBe('too-large');
    expect(mediaConvert).not.toHaveReceivedCommand(ProbeCommand);
  });

  it('rejects a file MediaConvert cannot read with a sentence for the uploader, no internal path or tool output', async () => {
    mediaConvert.on(ProbeCommand).rejects(
      new BadRequestException({
        message: 's3://vodflow-source/uploads/abc/x.mp4: Invalid data found when processing input (ffprobe exit 1)',
        $metadata: {},
      }),
    );

    const error = await rejection(handler(input));

    expect(error.reason).toBe('unreadable');
    expect(error.message).toBe(
      'the uploaded file could not be read as a video: it may be damaged, incomplete or in a format that is not supported',
    );
    expect(error.message).not.toMatch(/s3:\/\/|ffprobe|Invalid data/);
  });

  it('rejects a file that is not media', async () => {
    probeAnswers({ Container: { Tracks: [] } });

    expect((await rejection(handler(input))).reason).toBe('not-media');
  });

  it('rejects audio without a video stream', async () => {
    probeAnswers({
      Container: { Format: 'mp3', Duration: 180, Tracks: [{ TrackType: 'audio', Codec: 'MP3' }] },
    });

    const error = await rejection(handler(input));

    expect(error.reason).toBe('no-video');
    expect(error.message).toBe('the uploaded mp3 file has no video stream');
  });

  it('rejects a video longer than the configured limit', async () => {
    const long = structuredClone(landscape);
    if (long.Container) long.Container.Duration = 3600.5;
    probeAnswers(long);

    const error = await rejection(handler(input));

    expect(error.reason).toBe('too-long');
    expect(error.message).toBe('the video lasts 3601 s, above the limit of 3600 s');
  });

  it('rejects a picture too small to encode', async () => {
    const tiny = structuredClone(landscape);
    const video = tiny.Container?.Tracks?.[0]?.VideoProperties;
    if (video) Object.assign(video, { Width: 24, Height: 16 });
    probeAnswers(tiny);

    const error = await rejection(handler(input));

    expect(error.reason).toBe('too-small');
    expect(error.message).toBe('the video is 24x16: both sides must be at least 32 pixels');
  });

  it('rejects a stream without duration or picture size', async () => {
    const still = structuredClone(landscape);
    if (still.Container) still.Container.Duration = 0;
    const video = still.Container?.Tracks?.[0];
    if (video) video.Duration = 0;
    probeAnswers(still);

    expect((await rejection(handler(input))).reason).toBe('no-duration');
  });

  it('lets a MediaConvert service error through for the state machine to retry', async () => {
    mediaConvert.on(ProbeCommand).rejects(new InternalServerErrorException({ message: 'boom', $metadata: {} }));

    await expect(handler(input)).rejects.toThrow(InternalServerErrorException);
  });
});
