/** The packaging group does not produce what the stack promises (a missing HLS or DASH configuration). */
export class PackagingMisconfigured extends Error {
  override readonly name = 'PackagingMisconfigured';
}

/** MediaPackage could not ingest the MP4 source. */
export class PackagingFailed extends Error {
  override readonly name = 'PackagingFailed';
}

/** Ingest still running after the function's wait budget: the state's Retry calls again later. */
export class AssetNotYetPlayable extends Error {
  override readonly name = 'AssetNotYetPlayable';
}
