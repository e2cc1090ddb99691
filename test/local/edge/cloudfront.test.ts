import { LocalCloudFront } from '../../../local/services/cloudfront/local-cloudfront';

const DISTRIBUTION = 'ELOCALVODFLOW';

/** The request exactly as the InvalidateCache state sends it (Quantity from States.ArrayLength). */
function invalidateCache(callerReference: string, paths: string[], distributionId = DISTRIBUTION) {
  return {
    DistributionId: distributionId,
    InvalidationBatch: { CallerReference: callerReference, Paths: { Quantity: paths.length, Items: paths } },
  };
}

const named = (name: string) => expect.objectContaining({ name }) as Error;

describe('local CloudFront invalidations', () => {
  const paths = ['/out/v1/aa11/bb22/cc33/*', '/out/v1/aa11/dd44/ee55/*', '/assets/a1/*'];

  it('purges the edge and answers with the invalidation the ASL reads', async () => {
    const purge = jest.fn(() => 4);
    const cloudFront = new LocalCloudFront({ distributionId: DISTRIBUTION, purge });

    const output = await cloudFront.handle('CreateInvalidation', invalidateCache('publish-1', paths));

    expect(purge).toHaveBeenCalledWith(paths);
    expect(output).toEqual({
      Location: expect.stringMatching(/\/2020-05-31\/distribution\/ELOCALVODFLOW\/invalidation\/I[A-Z0-9]{13}$/),
      Invalidation: {
        Id: expect.stringMatching(/^I[A-Z0-9]{13}$/),
        Status: 'Completed',
        CreateTime: expect.any(Date),
        InvalidationBatch: { CallerReference: 'publish-1', Paths: { Quantity: 3, Items: paths } },
      },
    });
  });

  it('returns the same invalidation for a repeated CallerReference, without purging again', async () => {
    const purge = jest.fn(() => 0);
    const cloudFront = new LocalCloudFront({ distributionId: DISTRIBUTION, purge });

    const first = await cloudFront.handle('CreateInvalidation', invalidateCache('publish-1', paths));
    const retried = await cloudFront.handle('CreateInvalidation', invalidateCache('publish-1', [...paths].reverse()));
    const next = await cloudFront.handle('CreateInvalidation', invalidateCache('publish-2', paths));

    expect(retried).toEqual(first);
    expect(next.Invalidation).not.toEqual(expect.objectContaining({ Id: (first.Invalidation as { Id: string }).Id }));
    expect(purge).toHaveBeenCalledTimes(2);
  });

  it('refuses a known CallerReference with other paths with InvalidationBatchAlreadyExists', async () => {
    const cloudFront = new LocalCloudFront({ distributionId: DISTRIBUTION, purge: () => 0 });
    await cloudFront.handle('CreateInvalidation', invalidateCache('publish-1', paths));

    await expect(
      cloudFront.handle('CreateInvalidation', invalidateCache('publish-1', ['/other/*'])),
    ).rejects.toMatchObject({ name: 'InvalidationBatchAlreadyExists', $metadata: { httpStatusCode: 409 } });
  });

  describe('limits on invalidations in progress', () => {
    const wildcards = (from: number, count: number) =>
      Array.from({ length: count }, (_, index) => `/assets/a${String(from + index)}/*`);
    let clock: Date;
    const inProgressFor = (seconds: number) =>
      new LocalCloudFront({
        distributionId: DISTRIBUTION,
        purge: () => 0,
        inProgressSeconds: seconds,
        now: () => clock,
      });
    beforeEach(() => {
      clock = new Date('2026-12-08T00:00:00Z');
    });

    it('refuses the 16th wildcard path in progress with TooManyInvalidationsInProgress, and takes it once one completes', async () => {
      const cloudFront = inProgressFor(60);
      for (let publish = 0; publish < 5; publish += 1) {
        await cloudFront.handle(
          'CreateInvalidation',
          invalidateCache(`publish-${String(publish)}`, wildcards(publish * 3, 3)),
        );
      }

      await expect(
        cloudFront.handle('CreateInvalidation', invalidateCache('publish-5', wildcards(15, 3))),
      ).rejects.toMatchObject({ name: 'TooManyInvalidationsInProgress', $metadata: { httpStatusCode: 400 } });
      clock = new Date(clock.getTime() + 60_000);
      const later = await cloudFront.handle('CreateInvalidation', invalidateCache('publish-5', wildcards(15, 3)));

      expect(later.Invalidation).toMatchObject({ Status: 'InProgress' });
    });

    it('counts file paths apart from wildcards: 3,000 files in progress, then TooManyInvalidationsInProgress', async () => {
      const cloudFront = inProgressFor(60);
      const files = (prefix: string, count: number) =>
        Array.from({ length: count }, (_, index) => `/${prefix}/${String(index)}.ts`);
      await cloudFront.handle('CreateInvalidation', invalidateCache('files-1', files('a', 2000)));
      await cloudFront.handle(
        'CreateInvalidation',
        invalidateCache('files-2', [...files('b', 1000), ...wildcards(0, 15)]),
      );

      await expect(cloudFront.handle('CreateInvalidation', invalidateCache('files-3', files('c', 1)))).rejects.toThrow(
        named('TooManyInvalidationsInProgress'),
      );
    });

    it('reads InProgress until the invalidation completes', async () => {
      const cloudFront = inProgressFor(30);
      const created = await cloudFront.handle('CreateInvalidation', invalidateCache('publish-1', paths));
      const id = (created.Invalidation as { Id: string }).Id;

      clock = new Date(clock.getTime() + 29_000);
      const during = await cloudFront.handle('GetInvalidation', { DistributionId: DISTRIBUTION, Id: id });
      clock = new Date(clock.getTime() + 1_000);
      const after = await cloudFront.handle('GetInvalidation', { DistributionId: DISTRIBUTION, Id: id });

      expect(created.Invalidation).toMatchObject({ Status: 'InProgress' });
      expect(during.Invalidation).toMatchObject({ Status: 'InProgress' });
      expect(after.Invalidation).toMatchObject({ Status: 'Completed' });
    });

    it('refuses one batch of 16 wildcard paths even when nothing else is in progress', async () => {
      await expect(
        inProgressFor(0).handle('CreateInvalidation', invalidateCache('big', wildcards(0, 16))),
      ).rejects.toThrow(named('TooManyInvalidationsInProgress'));
    });
  });

  it.each([
    [
      'a Quantity that does not match the paths',
      { CallerReference: 'r', Paths: { Quantity: 2, Items: ['/a'] } },
      'InconsistentQuantities',
    ],
    [
      'a path not starting with /',
      { CallerReference: 'r', Paths: { Quantity: 1, Items: ['out/v1/*'] } },
      'InvalidArgument',
    ],
    [
      'a wildcard before the end',
      { CallerReference: 'r', Paths: { Quantity: 1, Items: ['/out/*/index.m3u8'] } },
      'InvalidArgument',
    ],
    ['no paths', { CallerReference: 'r', Paths: { Quantity: 0, Items: [] } }, 'InvalidArgument'],
    ['no CallerReference', { Paths: { Quantity: 1, Items: ['/a'] } }, 'InvalidArgument'],
    ['no batch', undefined, 'MissingBody'],
  ])('refuses %s', async (_case, batch, error) => {
    const purge = jest.fn(() => 0);
    const cloudFront = new LocalCloudFront({ distributionId: DISTRIBUTION, purge });

    await expect(
      cloudFront.handle('CreateInvalidation', { DistributionId: DISTRIBUTION, InvalidationBatch: batch }),
    ).rejects.toThrow(named(error));
    expect(purge).not.toHaveBeenCalled();
  });

  it('answers NoSuchDistribution for another distribution', async () => {
    const cloudFront = new LocalCloudFront({ distributionId: DISTRIBUTION, purge: () => 0 });

    await expect(cloudFront.handle('CreateInvalidation', invalidateCache('r', paths, 'EOTHER'))).rejects.toThrow(
      named('NoSuchDistribution'),
    );
    await expect(cloudFront.handle('GetInvalidation', { DistributionId: 'EOTHER', Id: 'I1' })).rejects.toThrow(
      named('NoSuchDistribution'),
    );
  });

  it('reads an invalidation back, and answers NoSuchInvalidation for an unknown id', async () => {
    const cloudFront = new LocalCloudFront({ distributionId: DISTRIBUTION, purge: () => 0 });
    const created = await cloudFront.handle('CreateInvalidation', invalidateCache('publish-1', paths));
    const id = (created.Invalidation as { Id: string }).Id;

    const read = await cloudFront.handle('GetInvalidation', { DistributionId: DISTRIBUTION, Id: id });

    expect(read).toEqual({ Invalidation: created.Invalidation });
    await expect(cloudFront.handle('GetInvalidation', { DistributionId: DISTRIBUTION, Id: 'INOPE' })).rejects.toThrow(
      named('NoSuchInvalidation'),
    );
    await expect(cloudFront.handle('ListDistributions', {})).rejects.toThrow(named('UnsupportedOperation'));
  });
});
