import { loadModel, validateShape } from '../support/aws-model';

/** The validator the template tests rely on must be able to fail, and say precisely where and why. */
describe('AWS model validator', () => {
  const mediaConvert = loadModel('mediaconvert');
  const mediaPackage = loadModel('mediapackage-vod');

  const h264Output = (h264: Record<string, unknown>, video: Record<string, unknown> = {}) => ({
    OutputGroups: [
      {
        OutputGroupSettings: { Type: 'CMAF_GROUP_SETTINGS', CmafGroupSettings: { SegmentLength: 6 } },
        Outputs: [
          { NameModifier: '_audio' },
          {
            NameModifier: '_1080p',
            VideoDescription: {
              Width: 1920,
              Height: 1080,
              CodecSettings: { Codec: 'H_264', H264Settings: h264 },
              ...video,
            },
          },
        ],
      },
    ],
  });

  it('accepts a well-formed value', () => {
    // Act
    const errors = validateShape(
      mediaConvert,
      'JobSettings',
      h264Output({ CodecProfile: 'HIGH', MaxBitrate: 6_000_000 }),
      'Settings',
    );

    // Assess
    expect(errors).toEqual([]);
  });

  it('rejects a value outside an enum, naming the allowed values', () => {
    const errors = validateShape(mediaConvert, 'JobSettings', h264Output({ CodecProfile: 'HIGHEST' }), 'Settings');

    expect(errors).toEqual([
      'Settings.OutputGroups[0].Outputs[1].VideoDescription.CodecSettings.H264Settings.CodecProfile: "HIGHEST" is not one of BASELINE, HIGH, HIGH_10BIT, HIGH_422, HIGH_422_10BIT, MAIN',
    ]);
  });

  it('rejects a member the shape does not have', () => {
    const errors = validateShape(mediaConvert, 'JobSettings', h264Output({ GopSizeInSeconds: 2 }), 'Settings');

    expect(errors).toEqual([
      'Settings.OutputGroups[0].Outputs[1].VideoDescription.CodecSettings.H264Settings.GopSizeInSeconds: not a member of H264Settings',
    ]);
  });

  it('rejects integers out of range and non-integers', () => {
    const errors = validateShape(
      mediaConvert,
      'JobSettings',
      h264Output({ MaxBitrate: 500, GopClosedCadence: 1.5 }, { Height: 9000 }),
      'Settings',
    );

    expect(errors).toEqual([
      'Settings.OutputGroups[0].Outputs[1].VideoDescription.Height: 9000 > max 8192',
      'Settings.OutputGroups[0].Outputs[1].VideoDescription.CodecSettings.H264Settings.MaxBitrate: 500 < min 1000',
      'Settings.OutputGroups[0].Outputs[1].VideoDescription.CodecSettings.H264Settings.GopClosedCadence: 1.5 is not an integer',
    ]);
  });

  it('rejects wrong types and string patterns, with paths into maps', () => {
    const errors = validateShape(
      mediaConvert,
      'JobSettings',
      {
        Inputs: [
          {
            FileInput: 'ftp://bucket/key.mp4',
            AudioSelectors: { 'Audio Selector 1': { DefaultSelection: 'SOMETIMES' } },
          },
        ],
        OutputGroups: { Outputs: [] },
        TimecodeConfig: { Anchor: '25:00:00:00' },
      },
      'Settings',
    );

    expect(errors).toEqual([
      expect.stringMatching(/^Settings\.Inputs\[0\]\.FileInput: "ftp:\/\/bucket\/key\.mp4" does not match /),
      'Settings.Inputs[0].AudioSelectors["Audio Selector 1"].DefaultSelection: "SOMETIMES" is not one of DEFAULT, NOT_DEFAULT',
      'Settings.OutputGroups: expected a list, got an object',
      expect.stringMatching(/^Settings\.TimecodeConfig\.Anchor: "25:00:00:00" does not match /),
    ]);
  });

  it('rejects strings shorter or longer than allowed', () => {
    const errors = validateShape(mediaConvert, 'Output', { NameModifier: '', Extension: 'x'.repeat(257) }, 'Output');

    expect(errors).toEqual(['Output.NameModifier: 0 characters < min 1', 'Output.Extension: 257 characters > max 256']);
  });

  it('reports missing required members', () => {
    const errors = validateShape(mediaConvert, 'CreateJobRequest', { Settings: {} });

    expect(errors).toEqual(['CreateJobRequest.Role: required by CreateJobRequest, missing']);
  });

  it('checks the MediaPackage VOD model the same way', () => {
    const errors = validateShape(mediaPackage, 'HlsPackage', {
      HlsManifests: [{ AdMarkers: 'SOME', IncludeIframeOnlyStream: 'yes' }],
      SegmentDurationSeconds: 6.5,
    });

    expect(errors).toEqual([
      'HlsPackage.HlsManifests[0].AdMarkers: "SOME" is not one of NONE, SCTE35_ENHANCED, PASSTHROUGH',
      'HlsPackage.HlsManifests[0].IncludeIframeOnlyStream: expected a boolean, got string "yes"',
      'HlsPackage.SegmentDurationSeconds: 6.5 is not an integer',
    ]);
  });

  it('refuses to validate against a shape the model does not define', () => {
    expect(() => validateShape(mediaConvert, 'NoSuchShape', {})).toThrow(
      'shape NoSuchShape is not in the MediaConvert model',
    );
  });
});
