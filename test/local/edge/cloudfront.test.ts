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

  it('refuses a known CallerReference with other paths', async () => {
    const cloudFront = new LocalCloudFront({ distributionId: DISTRIBUTION, purge: () => 0 });
    await cloudFront.handle('CreateInvalidation', invalidateCache('publish-1', paths));

    await expect(cloudFront.handle('CreateInvalidation', invalidateCache('publish-1', ['/other/*']))).rejects.toThrow(
      named('InvalidArgument'),
    );
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
