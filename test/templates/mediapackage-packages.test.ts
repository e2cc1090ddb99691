import dashPackage from '../../templates/mediapackage/dash-package.v1.json';
import hlsPackage from '../../templates/mediapackage/hls-package.v1.json';
import { loadJobTemplate } from '../../functions/submit-transcode/build-job-settings';
import { loadModel, validateShape } from '../support/aws-model';

/**
 * The MediaPackage VOD packaging configurations that package the asset's SMIL of MP4 renditions as HLS and DASH.
 * The same objects are the API's HlsPackage/DashPackage and CloudFormation's
 * AWS::MediaPackage::PackagingConfiguration HlsPackage/DashPackage (serverless.yml includes them with
 * `${file(...)}`), so they must satisfy both.
 *
 * Choices:
 * - HLS as HlsPackage, i.e. TS segments, not CmafPackage (fMP4): every HLS client plays TS (older Apple devices,
 *   smart TVs and set-top boxes that predate fMP4 HLS), UseAudioRenditionGroup exists only on HlsPackage, and
 *   hls.js plays TS in browsers (it transmuxes). DASH gets CMAF segments anyway. The price: TS costs a few percent
 *   more bytes, and FairPlay DRM later would be SAMPLE-AES rather than CBCS shared with DASH; switching is a
 *   template change (CmafPackage), which the local MediaPackage packages too.
 * - 6 s segments: a whole multiple of the ladder's closed 2 s GOPs, so MediaPackage (which rounds to multiples of
 *   the source's segment/GOP duration, cfigs-hls-new.html) cuts exactly 6 s on every rung.
 * - Streams top first (VIDEO_BITRATE_DESCENDING): players that start on the first variant start sharp.
 * - No I-frame-only stream: MediaPackage builds it from the first rendition (cfigs-hls-manset.html), the top one.
 *   Scrub previews come from the JPEG + WebVTT thumbnails under /assets/ (for VOD, image-based trick play passes
 *   through to DASH only), not from MediaPackage.
 * - HLS audio in a rendition group (one AAC track, named and tagged by the SMIL's audioName/systemLanguage);
 *   no program date time (VOD).
 * - DASH: SegmentTemplate with $Number$ and a full SegmentTimeline, understood by every DASH player; one period;
 *   12 s (two segments) of minimum buffer.
 */
const mediaPackage = loadModel('mediapackage-vod');

/** Properties CloudFormation documents for these types (AWS::MediaPackage::PackagingConfiguration). */
const CLOUDFORMATION_PROPERTIES = {
  HlsPackage: ['Encryption', 'HlsManifests', 'IncludeDvbSubtitles', 'SegmentDurationSeconds', 'UseAudioRenditionGroup'],
  HlsManifest: [
    'AdMarkers',
    'IncludeIframeOnlyStream',
    'ManifestName',
    'ProgramDateTimeIntervalSeconds',
    'RepeatExtXKey',
    'StreamSelection',
  ],
  DashPackage: [
    'DashManifests',
    'Encryption',
    'IncludeEncoderConfigurationInSegments',
    'IncludeIframeOnlyStream',
    'PeriodTriggers',
    'SegmentDurationSeconds',
    'SegmentTemplateFormat',
  ],
  DashManifest: [
    'ManifestLayout',
    'ManifestName',
    'MinBufferTimeSeconds',
    'Profile',
    'ScteMarkersSource',
    'StreamSelection',
  ],
  StreamSelection: ['MaxVideoBitsPerSecond', 'MinVideoBitsPerSecond', 'StreamOrder'],
};

/** GOP length of every video output of the transcode, in seconds (closed, aligned GOPs across rungs). */
function ladderGopSeconds(): number[] {
  return (loadJobTemplate().OutputGroups ?? []).flatMap((group) =>
    (group.Outputs ?? []).flatMap((output) => {
      const h264 = output.VideoDescription?.CodecSettings?.H264Settings;
      if (!h264) return [];
      if (h264.GopSizeUnits !== 'SECONDS' || h264.GopSize === undefined) {
        throw new Error('every H.264 rung states its GOP in seconds');
      }
      return [h264.GopSize];
    }),
  );
}

describe('MediaPackage VOD HLS packaging configuration', () => {
  it('is a valid HlsPackage', () => {
    expect(validateShape(mediaPackage, 'HlsPackage', hlsPackage)).toEqual([]);
  });

  it('is valid in a CreatePackagingConfigurationRequest', () => {
    const request = { Id: 'vodflow-dev-hls', PackagingGroupId: 'vodflow-dev', HlsPackage: hlsPackage };

    expect(validateShape(mediaPackage, 'CreatePackagingConfigurationRequest', request)).toEqual([]);
  });

  it('uses only properties CloudFormation accepts', () => {
    const [manifest] = hlsPackage.HlsManifests;

    expect(CLOUDFORMATION_PROPERTIES.HlsPackage).toEqual(expect.arrayContaining(Object.keys(hlsPackage)));
    expect(CLOUDFORMATION_PROPERTIES.HlsManifest).toEqual(expect.arrayContaining(Object.keys(manifest ?? {})));
    expect(CLOUDFORMATION_PROPERTIES.StreamSelection).toEqual(
      expect.arrayContaining(Object.keys(manifest?.StreamSelection ?? {})),
    );
  });

  it('cuts whole GOPs of every rung, groups the audio, puts the top rung first and names the manifest index', () => {
    const gops = ladderGopSeconds();

    expect(gops.length).toBeGreaterThan(0);
    expect(gops.every((gop) => hlsPackage.SegmentDurationSeconds % gop === 0)).toBe(true);
    expect(hlsPackage.UseAudioRenditionGroup).toBe(true);
    expect(hlsPackage.HlsManifests.map((manifest) => manifest.ManifestName)).toEqual(['index']);
    expect(hlsPackage.HlsManifests.map((manifest) => manifest.StreamSelection.StreamOrder)).toEqual([
      'VIDEO_BITRATE_DESCENDING',
    ]);
  });
});

describe('MediaPackage VOD DASH packaging configuration', () => {
  it('is a valid DashPackage', () => {
    expect(validateShape(mediaPackage, 'DashPackage', dashPackage)).toEqual([]);
  });

  it('is valid in a CreatePackagingConfigurationRequest', () => {
    const request = { Id: 'vodflow-dev-dash', PackagingGroupId: 'vodflow-dev', DashPackage: dashPackage };

    expect(validateShape(mediaPackage, 'CreatePackagingConfigurationRequest', request)).toEqual([]);
  });

  it('uses only properties CloudFormation accepts', () => {
    const [manifest] = dashPackage.DashManifests;

    expect(CLOUDFORMATION_PROPERTIES.DashPackage).toEqual(expect.arrayContaining(Object.keys(dashPackage)));
    expect(CLOUDFORMATION_PROPERTIES.DashManifest).toEqual(expect.arrayContaining(Object.keys(manifest ?? {})));
    expect(CLOUDFORMATION_PROPERTIES.StreamSelection).toEqual(
      expect.arrayContaining(Object.keys(manifest?.StreamSelection ?? {})),
    );
  });

  it('cuts the same whole GOPs as HLS, with a numbered timeline and two segments of minimum buffer', () => {
    expect(dashPackage.SegmentDurationSeconds).toBe(hlsPackage.SegmentDurationSeconds);
    expect(dashPackage.SegmentTemplateFormat).toBe('NUMBER_WITH_TIMELINE');
    expect(dashPackage.DashManifests.map((manifest) => manifest.ManifestName)).toEqual(['index']);
    expect(dashPackage.DashManifests.map((manifest) => manifest.MinBufferTimeSeconds)).toEqual([
      2 * dashPackage.SegmentDurationSeconds,
    ]);
  });
});
