import '../../support/function-env';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mediaPackageVod } from '../../../functions/commons/clients/media-package-vod';
import { findOrCreateAsset, waitUntilPlayable } from '../../../functions/register-asset/register-packaged-asset';
import { LocalSeam, routeClientToLocal } from '../../../local/seam/local-seam';
import { LocalMediaPackageVod } from '../../../local/services/media-package-vod/local-media-package-vod';
import { FolderObjectStore } from './support/folder-object-store';
import { generateRungs, MEDIA_BUCKET, writeSmilFixture } from './support/smil-fixture';

// The MediaPackage VOD client (an older @smithy/core) resolves credentials before the seam answers; the local
// runtime gives functions dummy keys the same way.
process.env.AWS_ACCESS_KEY_ID = 'LOCALTESTACCESSKEY';
process.env.AWS_SECRET_ACCESS_KEY = 'local-test-secret';

/** The real register-asset code, its SDK client answered by the local MediaPackage through the seam. */
describe('register-asset against the local MediaPackage VOD', () => {
  let dataDir: string;
  let masterKey: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'vodflow-mp-sdk-'));
    const store = new FolderObjectStore(join(dataDir, 's3'));
    masterKey = await writeSmilFixture(store, 'assets/a1/a1-p1', await generateRungs(join(dataDir, 'renditions')));
    const mediaPackage = new LocalMediaPackageVod({
      dataDir,
      store,
      egressBaseUrl: 'http://127.0.0.1:8081',
      groups: [
        {
          id: 'vodflow-test',
          configurations: [
            { id: 'vodflow-test-hls', type: 'HLS' },
            { id: 'vodflow-test-dash', type: 'DASH' },
          ],
        },
      ],
    });
    routeClientToLocal(mediaPackageVod, new LocalSeam().register(mediaPackage));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates the asset once, then finds it on a retry, PLAYABLE without waiting', async () => {
    const registration = {
      id: 'a1-p1',
      assetId: 'a1',
      packagingGroupId: 'vodflow-test',
      sourceArn: `arn:aws:s3:::${MEDIA_BUCKET}/${masterKey}`,
      sourceRoleArn: 'arn:aws:iam::000000000000:role/vodflow-local-mediapackage-source',
    };
    const sleep = jest.fn(() => Promise.resolve());

    const created = await findOrCreateAsset(registration);
    const again = await findOrCreateAsset(registration);
    const playable = await waitUntilPlayable(registration.id, again, { budgetMs: 1000, pollMs: 100, sleep });

    expect(again).toEqual(created);
    expect(playable.map((endpoint) => endpoint.Status)).toEqual(['PLAYABLE', 'PLAYABLE']);
    expect(sleep).not.toHaveBeenCalled();
  });
});
