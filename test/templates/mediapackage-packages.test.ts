import dashPackage from '../../templates/mediapackage/dash-package.v1.json';
import hlsPackage from '../../templates/mediapackage/hls-package.v1.json';
import { loadJobTemplate, OUTPUT_LAYOUT } from '../../functions/submit-transcode/build-job-settings';
import { loadModel, validateShape } from '../support/aws-model';

/**
 * The MediaPackage VOD packaging configurations that serve the one CMAF copy as HLS and DASH. The same objects
 * are the API's HlsPackage/DashPackage and CloudFormation's AWS::MediaPackage::PackagingConfiguration
 * HlsPackage/DashPackage (serverless.yml includes them with `${file(...)}`), so they must satisfy both.
 *
 * Choices: 6 s segments, the source's own segment length, so MediaPackage repackages one source segment into one
 * output segment and never has to round (it rounds to multiples of the source segment). Streams top first.
 * No I-frame-only stream: MediaPackage would build it from the first (top) rendition, whose I-frames are the
 * heaviest; trick play comes from the image playlists MediaConvert writes, which MediaPackage passes through.
 * HLS puts the AAC rendition in an audio group, as the CMAF source does; no program date time (VOD).
 * DASH: SegmentTemplate with $Number$ and a full SegmentTimeline, understood by every DASH player; one period;
 * 12 s (two segments) of minimum buffer.
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

const cmafSegmentLength = loadJobTemplate().OutputGroups?.find(
  (group) => group.OutputGroupSettings?.Type === 'CMAF_GROUP_SETTINGS',
)?.OutputGroupSettings?.CmafGroupSettings?.SegmentLength;

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

  it('segments like the CMAF source, groups the audio and names the manifest like the source', () => {
    expect(hlsPackage.SegmentDurationSeconds).toBe(cmafSegmentLength);
    expect(hlsPackage.UseAudioRenditionGroup).toBe(true);
    expect(hlsPackage.HlsManifests.map((manifest) => manifest.ManifestName)).toEqual([OUTPUT_LAYOUT.manifestBaseName]);
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

  it('segments like the CMAF source with a numbered timeline', () => {
    expect(dashPackage.SegmentDurationSeconds).toBe(cmafSegmentLength);
    expect(dashPackage.SegmentTemplateFormat).toBe('NUMBER_WITH_TIMELINE');
    expect(dashPackage.DashManifests.map((manifest) => manifest.ManifestName)).toEqual([
      OUTPUT_LAYOUT.manifestBaseName,
    ]);
  });
});
