import {
  HAPPY_PATH,
  PublishVideoWorld,
  SAMPLE_MEDIA,
  SAMPLE_PACKAGING,
  SAMPLE_REQUEST,
  SAMPLE_TRANSCODE,
  type Step,
} from '../support/publish-video-world';

/** One transient error per step, spelled as Step Functions reports it (test/statemachine/error-names.test.ts). */
const TRANSIENT: Record<Step, string> = {
  ProbeSource: 'Lambda.ServiceException',
  RecordAsset: 'DynamoDB.ThrottlingException',
  Transcode: 'Lambda.TooManyRequestsException',
  RegisterAsset: 'InternalServerErrorException',
  InvalidateCache: 'CloudFront.TooManyInvalidationsInProgressException',
  MarkPublished: 'DynamoDB.ProvisionedThroughputExceededException',
  NotifyPublished: 'SNS.KMSThrottlingException',
};

describe('publish-video state machine (the real ASL file, run by aws-local-stepfunctions)', () => {
  it('publishes a video in 7 state transitions with 3 Lambda tasks', async () => {
    // Prepare
    const world = new PublishVideoWorld();

    // Act
    const run = await world.start();

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered).toEqual([...HAPPY_PATH]);
    expect(world.lambdaCalls.map((call) => call.state)).toEqual(['ProbeSource', 'Transcode', 'RegisterAsset']);
    expect(world.item()).toMatchObject({
      status: 'READY',
      publishId: SAMPLE_REQUEST.publishId,
      executionArn: world.executionArn,
      version: 1,
      media: SAMPLE_MEDIA,
      source: SAMPLE_REQUEST.source,
      playback: SAMPLE_PACKAGING.playback,
      thumbnails: SAMPLE_PACKAGING.thumbnails,
      renditions: [{ name: '1080p', width: 1920, height: 1080, maxBitrate: 6_000_000, codec: 'h264' }],
      job: { id: SAMPLE_TRANSCODE.jobId, progress: 100 },
      mediaPackageAssetId: SAMPLE_PACKAGING.mediaPackageAssetId,
    });
    expect(world.item().error).toBeUndefined();
    expect(world.deadLetters).toHaveLength(0);
    expect(world.published()).toHaveLength(1);
    expect(world.notifications[0]).toEqual({
      subject: 'vodflow video published',
      attributes: {
        event: { DataType: 'String', StringValue: 'video.published' },
        status: { DataType: 'String', StringValue: 'READY' },
        assetId: { DataType: 'String', StringValue: SAMPLE_REQUEST.assetId },
      },
      message: {
        event: 'video.published',
        assetId: SAMPLE_REQUEST.assetId,
        publishId: SAMPLE_REQUEST.publishId,
        status: 'READY',
        playback: SAMPLE_PACKAGING.playback,
        thumbnails: SAMPLE_PACKAGING.thumbnails,
        durationSeconds: SAMPLE_TRANSCODE.durationSeconds,
        renditions: SAMPLE_TRANSCODE.renditions,
        executionArn: world.executionArn,
      },
    });
  });

  it('passes the task token and the probed media to the transcode submitter', async () => {
    const world = new PublishVideoWorld();

    await world.start();

    expect(world.lambdaCalls.find((call) => call.state === 'Transcode')?.input).toEqual({
      FunctionName: expect.stringContaining('function:vodflow-test-SubmitTranscode'),
      Payload: {
        taskToken: 'token-0',
        assetId: SAMPLE_REQUEST.assetId,
        publishId: SAMPLE_REQUEST.publishId,
        source: SAMPLE_REQUEST.source,
        media: SAMPLE_MEDIA,
      },
    });
  });

  it('invalidates exactly the asset paths, with the publishId as an idempotent CallerReference', async () => {
    const world = new PublishVideoWorld();

    await world.start();

    expect(world.invalidations).toEqual([
      {
        DistributionId: 'E2EXAMPLE0ABCD',
        InvalidationBatch: {
          CallerReference: SAMPLE_REQUEST.publishId,
          Paths: { Quantity: 3, Items: SAMPLE_PACKAGING.invalidationPaths },
        },
      },
    ]);
  });

  describe.each(HAPPY_PATH)('a transient failure at %s', (step) => {
    it('is retried and the video is still published once', async () => {
      const world = new PublishVideoWorld().fail(step, TRANSIENT[step], 2);

      const run = await world.start();

      expect(run.status).toBe('SUCCEEDED');
      expect(run.retried.filter((name) => name === step)).toHaveLength(2);
      expect(world.item().status).toBe('READY');
      expect(world.published()).toHaveLength(1);
      expect(world.deadLetters).toHaveLength(0);
    });
  });

  describe.each(HAPPY_PATH)('retries exhausted at %s', (step) => {
    it('records FAILED, dead-letters, notifies, and a redrive continues at the failed step', async () => {
      // Prepare
      const world = new PublishVideoWorld().fail(step, TRANSIENT[step]);

      // Act
      const failed = await world.start();

      // Assess: the failure is recorded everywhere an operator looks
      expect(failed.status).toBe('FAILED');
      expect(failed.error).toContain('States.NoChoiceMatched');
      expect(failed.entered.slice(-4)).toEqual([
        'RecordFailure',
        'SendToDeadLetterQueue',
        'NotifyFailure',
        'AwaitRedrive',
      ]);
      expect(failed.retried.filter((name) => name === step).length).toBeGreaterThanOrEqual(3);
      expect(world.item()).toMatchObject({
        status: 'FAILED',
        error: { state: step, code: TRANSIENT[step], cause: `injected ${TRANSIENT[step]}` },
      });
      expect(world.deadLetters).toHaveLength(1);
      expect(world.deadLetters[0]?.body).toEqual({
        executionArn: world.executionArn,
        stateMachineArn: expect.stringContaining(':stateMachine:vodflow-test-publish-video'),
        assetId: SAMPLE_REQUEST.assetId,
        publishId: SAMPLE_REQUEST.publishId,
        source: SAMPLE_REQUEST.source,
        failedState: step,
        error: TRANSIENT[step],
        cause: `injected ${TRANSIENT[step]}`,
        failedAt: expect.any(String),
        redriveCount: 0,
      });
      const failureNotices = world.notifications.filter((n) => n.attributes.event?.StringValue === 'video.failed');
      expect(failureNotices).toHaveLength(1);
      expect(failureNotices[0]?.message).toMatchObject({ status: 'FAILED', failedState: step });

      // Act: the service recovers and the operator presses Redrive
      world.heal(step);
      const redriven = await world.redrive();

      // Assess: it resumed at the failed step (NotifyPublished resumes one step earlier to restore READY)
      const resumeAt = step === 'NotifyPublished' ? 'MarkPublished' : step;
      expect(redriven.status).toBe('SUCCEEDED');
      expect(redriven.entered[0]).toBe('AwaitRedrive');
      expect(redriven.entered.slice(1)).toEqual(HAPPY_PATH.slice(HAPPY_PATH.indexOf(resumeAt)));
      expect(world.item()).toMatchObject({ status: 'READY', playback: SAMPLE_PACKAGING.playback });
      expect(world.item().error).toBeUndefined();
      expect(world.published()).toHaveLength(1);
    });
  });

  it('fails again at the same step when a redrive hits the same fault, and a second redrive still resumes', async () => {
    const world = new PublishVideoWorld().fail('RegisterAsset', 'ServiceUnavailableException');
    await world.start();

    const secondFailure = await world.redrive();
    expect(secondFailure.status).toBe('FAILED');
    expect(secondFailure.entered.slice(0, 2)).toEqual(['AwaitRedrive', 'RegisterAsset']);
    expect(world.deadLetters.map((message) => message.body.redriveCount)).toEqual([0, 1]);

    world.heal('RegisterAsset');
    const finished = await world.redrive();
    expect(finished.status).toBe('SUCCEEDED');
    expect(finished.entered.slice(0, 2)).toEqual(['AwaitRedrive', 'RegisterAsset']);
    expect(world.published()).toHaveLength(1);
    expect(world.lambdaCalls.filter((call) => call.state === 'ProbeSource')).toHaveLength(1);
    expect(world.lambdaCalls.filter((call) => call.state === 'Transcode')).toHaveLength(1);
  });

  it.each([
    ['Transcode', 'MediaConvertJobFailed'],
    ['Transcode', 'MediaConvertJobCanceled'],
    ['Transcode', 'States.HeartbeatTimeout'],
    ['Transcode', 'TranscodeOutputsMissing'],
    ['RegisterAsset', 'PackagingMisconfigured'],
    ['RegisterAsset', 'PackagingFailed'],
    // A ValidationException, as the optimized DynamoDB integration names an error DynamoDB does not model.
    ['MarkPublished', 'DynamoDB.AmazonDynamoDBException'],
  ])('at %s, does not retry the permanent error %s', async (step, error) => {
    const world = new PublishVideoWorld().fail(step, error);

    const run = await world.start();

    expect(run.status).toBe('FAILED');
    expect(run.retried).not.toContain(step);
    expect(world.item()).toMatchObject({ status: 'FAILED', error: { state: step, code: error } });
    expect(world.deadLetters).toHaveLength(1);
  });

  it('retries a MediaPackage ingest that is still running', async () => {
    const world = new PublishVideoWorld().fail('RegisterAsset', 'AssetNotYetPlayable', 3);

    const run = await world.start();

    expect(run.status).toBe('SUCCEEDED');
    expect(run.retried.filter((name) => name === 'RegisterAsset')).toHaveLength(3);
  });

  it('sends bad input down the REJECTED path: record, notification, no dead letter, no transcode', async () => {
    // Prepare
    const world = new PublishVideoWorld().reject('the uploaded mp4 file has no video stream');

    // Act
    const run = await world.start();

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered).toEqual([
      'ProbeSource',
      'ReadRejection',
      'RecordRejection',
      'NotifyRejection',
      'SourceRejected',
    ]);
    expect(run.retried).toEqual([]);
    expect(world.item()).toMatchObject({
      status: 'REJECTED',
      source: SAMPLE_REQUEST.source,
      error: { state: 'ProbeSource', code: 'SourceRejected', cause: 'the uploaded mp4 file has no video stream' },
    });
    expect(world.deadLetters).toHaveLength(0);
    expect(world.notifications).toHaveLength(1);
    expect(world.notifications[0]).toMatchObject({
      attributes: { event: { StringValue: 'video.rejected' }, status: { StringValue: 'REJECTED' } },
      message: { status: 'REJECTED', cause: 'the uploaded mp4 file has no video stream' },
    });
    expect(JSON.stringify([...world.catalogue.values(), ...world.notifications])).not.toContain('/var/task');
  });

  it('times out a transcode whose callback never arrives and takes the failure path', async () => {
    // Prepare: the submitter never answers, as when the MediaConvert event is lost
    const world = new PublishVideoWorld()
      .withTimeout('Transcode', 1)
      .answer('Transcode', () => new Promise<never>(() => undefined));

    // Act
    const run = await world.start();

    // Assess
    expect(run.status).toBe('FAILED');
    expect(run.retried).not.toContain('Transcode');
    expect(world.item()).toMatchObject({ status: 'FAILED', error: { state: 'Transcode', code: 'States.Timeout' } });
    expect(world.deadLetters[0]?.body).toMatchObject({ failedState: 'Transcode', error: 'States.Timeout' });
    expect(world.notifications.map((n) => n.attributes.event?.StringValue)).toEqual(['video.failed']);
  });

  it('lets an older execution finish without overwriting a newer upload of the same asset', async () => {
    // Prepare: a newer publish took ownership of the record while this one was transcoding
    const world = new PublishVideoWorld();
    world.answer('InvalidateCache', () => {
      world.catalogue.set(SAMPLE_REQUEST.assetId, {
        assetId: SAMPLE_REQUEST.assetId,
        status: 'TRANSCODING',
        publishId: 'newer',
      });
      return Promise.resolve({ Invalidation: { Id: 'I1' } });
    });

    // Act
    const run = await world.start();

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered.slice(-2)).toEqual(['MarkPublished', 'PublishSuperseded']);
    expect(world.item()).toMatchObject({ status: 'TRANSCODING', publishId: 'newer' });
    expect(world.published()).toHaveLength(0);
  });

  it('keeps createdAt and bumps the version when the same asset is published again', async () => {
    const world = new PublishVideoWorld();
    await world.start();
    const first = { ...world.item() };

    await world.start({ ...SAMPLE_REQUEST, publishId: `${SAMPLE_REQUEST.assetId}-fedcba9876543210` });

    expect(world.item()).toMatchObject({ version: 2, createdAt: first.createdAt, status: 'READY' });
    expect(world.item().publishId).toBe(`${SAMPLE_REQUEST.assetId}-fedcba9876543210`);
  });

  describe('an upload recorded by POST /uploads (title, access level and an abandoned-upload expiry)', () => {
    const pending = {
      assetId: SAMPLE_REQUEST.assetId,
      status: 'AWAITING_UPLOAD',
      title: 'Holiday',
      accessLevel: 'public',
      uploadedBy: 'uploader-1',
      expiresAt: 1_795_300_000,
    };

    it.each([
      ['published', (world: PublishVideoWorld) => world, 'READY'],
      ['rejected', (world: PublishVideoWorld) => world.reject('the uploaded mp4 file has no video stream'), 'REJECTED'],
      ['failed', (world: PublishVideoWorld) => world.fail('ProbeSource', 'MediaConvert.BadRequestException'), 'FAILED'],
    ])('keeps its title and access level and no longer expires once %s', async (_, prepare, status) => {
      const world = prepare(new PublishVideoWorld());
      world.catalogue.set(SAMPLE_REQUEST.assetId, { ...pending });

      await world.start();

      expect(world.item()).toMatchObject({ status, title: 'Holiday', accessLevel: 'public', uploadedBy: 'uploader-1' });
      expect(world.item()).not.toHaveProperty('expiresAt');
    });
  });
});
