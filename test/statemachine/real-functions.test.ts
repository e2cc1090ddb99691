import '../support/function-env';
import {
  CreateJobCommand,
  MediaConvertClient,
  ProbeCommand,
  type ProbeCommandOutput,
} from '@aws-sdk/client-mediaconvert';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import type { TranscodeJobRecord } from '../../functions/commons/transcode-job-record';
import type { TranscodeResult } from '../../functions/commons/types';
import { handler as probeSource, type ProbeSourceInput } from '../../functions/probe-source/handler';
import { handler as registerAsset, type RegisterAssetInput } from '../../functions/register-asset/handler';
import { handler as submitTranscode, type SubmitTranscodeInput } from '../../functions/submit-transcode/handler';
import { handler as transcodeCallback } from '../../functions/transcode-callback/handler';
import completeEvent from '../../events/mediaconvert/complete.json';
import probeResponse from '../../events/mediaconvert/probe-response-1080p.json';
import { asLambdaFunction } from '../support/lambda-function-error';
import { CreateAsset, DescribeAsset, mockMediaPackageVod } from '../support/mediapackage-vod-mock';
import { PublishVideoWorld, SAMPLE_REQUEST } from '../support/publish-video-world';

/**
 * The state machine with the real function code in its Lambda states: only the AWS APIs underneath are stubbed.
 * What this proves is the seams: the ASL's Parameters are what each handler reads, the callback's SendTaskSuccess
 * output is what RegisterAsset and MarkPublished read, and RegisterAsset's result is what the last states read.
 */
const mediaConvert = mockClient(MediaConvertClient);
const dynamo = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
const s3 = mockClient(S3Client);
const mediaPackage = mockMediaPackageVod();

const egress = 'https://8a4b2c1d.egress.mediapackage-vod.us-east-1.amazonaws.com/out/v1/aa11';
const cdn = 'https://d111111abcdef8.cloudfront.net';

function stubAwsApis(): void {
  mediaConvert.on(ProbeCommand).resolves(probeResponse as ProbeCommandOutput);
  mediaConvert.on(CreateJobCommand).resolves({ Job: { Id: completeEvent.detail.jobId, Role: 'r', Settings: {} } });
  // The token table: what submit-transcode puts, transcode-callback gets.
  const tokens = new Map<string, TranscodeJobRecord>();
  dynamo.on(PutCommand).callsFake((input: { Item: TranscodeJobRecord }) => {
    tokens.set(input.Item.correlationId, input.Item);
    return {};
  });
  dynamo.on(GetCommand).callsFake((input: { Key: { correlationId: string } }) => ({
    Item: tokens.get(input.Key.correlationId),
  }));
  dynamo.on(UpdateCommand).resolves({});
  dynamo.on(DeleteCommand).resolves({});
  // RegisterAsset writes the .smil and the thumbnails track beside the transcode's outputs.
  s3.on(PutObjectCommand).resolves({});
  mediaPackage
    .on(DescribeAsset)
    .rejectsOnce(Object.assign(new Error('asset not found'), { name: 'NotFoundException' }));
  mediaPackage.on(CreateAsset).resolves({
    EgressEndpoints: [
      { PackagingConfigurationId: 'vodflow-test-hls', Url: `${egress}/bb22/cc33/index.m3u8`, Status: 'PLAYABLE' },
      { PackagingConfigurationId: 'vodflow-test-dash', Url: `${egress}/dd44/ee55/index.mpd`, Status: 'PLAYABLE' },
    ],
  });
}

/**
 * What EventBridge does when MediaConvert finishes: the callback runs, and its SendTaskSuccess ends the wait. The
 * event fixture's output paths are those of SAMPLE_REQUEST's publish.
 */
async function transcodeThroughCallback(input: SubmitTranscodeInput): Promise<TranscodeResult> {
  const { correlationId } = await submitTranscode(input);
  const event = structuredClone(completeEvent);
  event.detail.userMetadata.correlationId = correlationId;
  await transcodeCallback(event);
  const answer = sfn.commandCalls(SendTaskSuccessCommand).at(-1)?.args[0].input;
  expect(answer?.taskToken).toBe(input.taskToken);
  return JSON.parse(answer?.output ?? 'null') as TranscodeResult;
}

describe('publish-video with the real functions in its Lambda states', () => {
  beforeEach(() => {
    for (const stub of [mediaConvert, dynamo, sfn, s3, mediaPackage]) stub.reset();
    sfn.onAnyCommand().resolves({});
    stubAwsApis();
  });

  it('publishes: every handler reads what the ASL passes and returns what the next states read', async () => {
    // Prepare
    const world = new PublishVideoWorld()
      .answer('ProbeSource', (input) => asLambdaFunction(probeSource)(input as unknown as ProbeSourceInput))
      .answer('Transcode', (input) => transcodeThroughCallback(input.Payload as SubmitTranscodeInput))
      .answer('RegisterAsset', (input) => asLambdaFunction(registerAsset)(input as unknown as RegisterAssetInput));

    // Act
    const run = await world.start();

    // Assess
    expect(run.events.filter((e) => e.type === 'StateFailed')).toEqual([]);
    expect(run.status).toBe('SUCCEEDED');
    const prefix = `assets/${SAMPLE_REQUEST.assetId}/${SAMPLE_REQUEST.publishId}`;
    expect(world.item()).toMatchObject({
      status: 'READY',
      media: { width: 1920, height: 1080, durationSeconds: 30.03, hasAudio: true },
      playback: { hls: `${cdn}/out/v1/aa11/bb22/cc33/index.m3u8`, dash: `${cdn}/out/v1/aa11/dd44/ee55/index.mpd` },
      thumbnails: {
        poster: `${cdn}/${prefix}/images/index_poster.0000001.jpg`,
        trickplay: `${cdn}/${prefix}/images/index_thumbnails.vtt`,
      },
      job: { id: completeEvent.detail.jobId, progress: 100 },
      mediaPackageAssetId: SAMPLE_REQUEST.publishId,
    });
    expect((world.item().renditions as { name: string }[]).map((rendition) => rendition.name)).toEqual([
      '1080p',
      '720p',
      '540p',
      '360p',
      '270p',
    ]);
    expect(world.invalidations[0]).toMatchObject({
      InvalidationBatch: {
        Paths: {
          Items: ['/out/v1/aa11/bb22/cc33/*', '/out/v1/aa11/dd44/ee55/*', `/assets/${SAMPLE_REQUEST.assetId}/*`],
        },
      },
    });
    expect(world.published()[0]?.message).toMatchObject({ durationSeconds: 30.03, playback: world.item().playback });
  });

  it('rejects a real probe result without video through the REJECTED path', async () => {
    mediaConvert.on(ProbeCommand).resolves({
      ProbeResults: [{ Container: { Format: 'mp3', Duration: 200, Tracks: [{ TrackType: 'audio', Codec: 'MP3' }] } }],
    });
    const world = new PublishVideoWorld().answer('ProbeSource', (input) =>
      asLambdaFunction(probeSource)(input as unknown as ProbeSourceInput),
    );

    const run = await world.start();

    expect(run.entered).toEqual([
      'ProbeSource',
      'ReadRejection',
      'RecordRejection',
      'NotifyRejection',
      'SourceRejected',
    ]);
    expect(world.item()).toMatchObject({
      status: 'REJECTED',
      error: { code: 'SourceRejected', cause: 'the uploaded mp3 file has no video stream' },
    });
  });
});
