import type { CmafPackage, DashPackage, HlsPackage } from '@aws-sdk/client-mediapackage-vod';
import dashTemplate from '../../../templates/mediapackage/dash-package.v1.json';
import hlsTemplate from '../../../templates/mediapackage/hls-package.v1.json';

/** The package kinds a packaging configuration has (API: HlsPackage = TS, CmafPackage = fMP4 HLS, DashPackage). */
export type PackagingType = 'HLS' | 'CMAF' | 'DASH';

/**
 * A packaging configuration of the local group. Without `package`, an HLS or DASH configuration takes the
 * project's template (templates/mediapackage/*.json), the same object serverless.yml deploys.
 */
export type PackagingConfiguration =
  | { id: string; type: 'HLS'; package?: HlsPackage }
  | { id: string; type: 'CMAF'; package?: CmafPackage }
  | { id: string; type: 'DASH'; package?: DashPackage };

export type ResolvedConfiguration =
  | { id: string; type: 'HLS'; package: HlsPackage }
  | { id: string; type: 'CMAF'; package: CmafPackage }
  | { id: string; type: 'DASH'; package: DashPackage };

/** cfigs-hls-manset.html, cfigs-dash-manset.html: without a manifest name the default is "index". */
export const DEFAULT_MANIFEST_NAME = 'index';
/** The API's default segment duration when a package leaves it out. */
export const DEFAULT_SEGMENT_SECONDS = 6;

/** A packaging configuration asks for something the local packager does not do: refused at start, never ignored. */
export class UnsupportedPackagingSetting extends Error {
  override readonly name = 'UnsupportedPackagingSetting';
}

/** Settings of the API's packages that the local packager does not implement (the project's templates use none). */
function unsupportedSettings(configuration: ResolvedConfiguration): string[] {
  const found: string[] = [];
  const settings = configuration.package;
  if (settings.Encryption) found.push('Encryption');
  if ('IncludeEncoderConfigurationInSegments' in settings && settings.IncludeEncoderConfigurationInSegments) {
    found.push('IncludeEncoderConfigurationInSegments');
  }
  if (configuration.type === 'HLS' && configuration.package.IncludeDvbSubtitles) found.push('IncludeDvbSubtitles');
  if (configuration.type === 'DASH') {
    if ((configuration.package.PeriodTriggers ?? []).length > 0) found.push('PeriodTriggers');
    if (configuration.package.IncludeIframeOnlyStream) found.push('IncludeIframeOnlyStream');
    for (const manifest of configuration.package.DashManifests ?? []) {
      if (manifest.ScteMarkersSource) found.push('ScteMarkersSource');
    }
  } else {
    for (const manifest of configuration.package.HlsManifests ?? []) {
      if (manifest.IncludeIframeOnlyStream) found.push('IncludeIframeOnlyStream');
      if (manifest.AdMarkers && manifest.AdMarkers !== 'NONE') found.push(`AdMarkers ${manifest.AdMarkers}`);
      if ((manifest.ProgramDateTimeIntervalSeconds ?? 0) > 0) found.push('ProgramDateTimeIntervalSeconds');
      if (manifest.RepeatExtXKey) found.push('RepeatExtXKey');
    }
  }
  return found;
}

export function resolveConfiguration(configuration: PackagingConfiguration): ResolvedConfiguration {
  const resolved = withDefaults(configuration);
  const unsupported = unsupportedSettings(resolved);
  if (unsupported.length > 0) {
    throw new UnsupportedPackagingSetting(
      `packaging configuration ${configuration.id}: the local MediaPackage VOD does not package ${unsupported.join(', ')}`,
    );
  }
  return resolved;
}

function withDefaults(configuration: PackagingConfiguration): ResolvedConfiguration {
  switch (configuration.type) {
    case 'HLS':
      return { ...configuration, package: configuration.package ?? (hlsTemplate as HlsPackage) };
    case 'DASH':
      return { ...configuration, package: configuration.package ?? (dashTemplate as DashPackage) };
    case 'CMAF':
      return { ...configuration, package: configuration.package ?? { HlsManifests: [{}] } };
  }
}

/** The manifest names of a configuration, in order; the first is the egress endpoint's Url. */
export function manifestNamesOf(configuration: ResolvedConfiguration): string[] {
  const manifests =
    configuration.type === 'DASH' ? configuration.package.DashManifests : configuration.package.HlsManifests;
  const names = (manifests ?? []).map((manifest) => manifest.ManifestName ?? DEFAULT_MANIFEST_NAME);
  return names.length > 0 ? names : [DEFAULT_MANIFEST_NAME];
}

export function manifestExtensionOf(configuration: ResolvedConfiguration): 'm3u8' | 'mpd' {
  return configuration.type === 'DASH' ? 'mpd' : 'm3u8';
}
