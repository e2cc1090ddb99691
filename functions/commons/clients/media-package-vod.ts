import { MediaPackageVodClient } from '@aws-sdk/client-mediapackage-vod';

/** Built once per container. */
export const mediaPackageVod = new MediaPackageVodClient({});
