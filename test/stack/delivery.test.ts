import {
  type CfnTemplate,
  evaluateStatic,
  packageStack,
  PREFIX,
  properties,
  throwawayPublicKeyPem,
} from '../support/cloudformation';

let template: CfnTemplate;
/** The key an operator would pass at deploy; the template receives it as the CdnPublicKeyPem parameter. */
const publicKeyPem = throwawayPublicKeyPem();

beforeAll(async () => {
  ({ template } = await packageStack());
}, 180_000);

interface Behavior {
  PathPattern?: string;
  TargetOriginId: string;
  ViewerProtocolPolicy: string;
  TrustedKeyGroups?: unknown[];
  CachePolicyId?: string;
}

interface Origin {
  Id: string;
  DomainName: unknown;
  CustomOriginConfig?: { OriginProtocolPolicy: string };
  S3OriginConfig?: unknown;
  OriginAccessControlId?: unknown;
}

const distributionConfig = () =>
  properties(template, 'PlaybackDistribution').DistributionConfig as Record<string, unknown>;
const behaviors = (): Behavior[] => {
  const config = distributionConfig();
  return [config.DefaultCacheBehavior as Behavior, ...((config.CacheBehaviors as Behavior[] | undefined) ?? [])];
};
const origin = (id: string): Origin => {
  const found = (distributionConfig().Origins as Origin[]).find((candidate) => candidate.Id === id);
  if (found === undefined) throw new Error(`no origin ${id}`);
  return found;
};
const behaviorFor = (pathPattern: string) => behaviors().find((behavior) => behavior.PathPattern === pathPattern);

describe('playback distribution', () => {
  it('requires a signed cookie or URL from the playback key group on every behaviour', () => {
    expect(behaviors().length).toBeGreaterThanOrEqual(3);
    for (const behavior of behaviors()) {
      expect({ path: behavior.PathPattern ?? 'default', keyGroups: behavior.TrustedKeyGroups }).toEqual({
        path: behavior.PathPattern ?? 'default',
        keyGroups: [{ Ref: 'PlaybackKeyGroup' }],
      });
      expect(behavior.ViewerProtocolPolicy).toBe('redirect-to-https');
      expect(behavior.CachePolicyId).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('serves just-in-time HLS/DASH from MediaPackage VOD over HTTPS', () => {
    expect(behaviorFor('/out/v1/*')?.TargetOriginId).toBe('mediapackage-vod');
    const mediaPackage = origin('mediapackage-vod');
    expect(mediaPackage.CustomOriginConfig?.OriginProtocolPolicy).toBe('https-only');
    // PackagingGroup.DomainName is https://<host>: the origin gets the host.
    expect(mediaPackage.DomainName).toEqual({
      'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': ['PackagingGroup', 'DomainName'] }] }],
    });
    expect(
      evaluateStatic({
        'Fn::Select': [2, { 'Fn::Split': ['/', 'https://abc123.egress.mediapackage-vod.us-east-1.amazonaws.com'] }],
      }),
    ).toBe('abc123.egress.mediapackage-vod.us-east-1.amazonaws.com');
  });

  it('serves posters and thumbnails from the private media bucket through origin access control', () => {
    expect(behaviorFor('/assets/*')?.TargetOriginId).toBe('media-bucket');
    expect(origin('media-bucket')).toMatchObject({
      DomainName: { 'Fn::GetAtt': ['MediaBucket', 'RegionalDomainName'] },
      OriginAccessControlId: { 'Fn::GetAtt': ['MediaOriginAccessControl', 'Id'] },
      S3OriginConfig: { OriginAccessIdentity: '' },
    });
    expect(properties(template, 'MediaOriginAccessControl').OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
  });

  it('uses the cheapest price class, HTTP/2 and HTTP/3, and IPv6', () => {
    expect(distributionConfig()).toMatchObject({
      Enabled: true,
      PriceClass: 'PriceClass_100',
      HttpVersion: 'http2and3',
      IPV6Enabled: true,
    });
  });

  it('trusts exactly the public key passed as cdnPublicKeyPem, rebuilt line for line', () => {
    expect(properties(template, 'PlaybackKeyGroup').KeyGroupConfig).toMatchObject({
      Name: `${PREFIX}-playback`,
      Items: [{ Ref: 'PlaybackPublicKey' }],
    });
    const config = properties(template, 'PlaybackPublicKey').PublicKeyConfig as Record<string, unknown>;
    // What `--param="cdnPublicKeyPem=$(tr '\n' ' ' < key.pem)"` delivers: serverless keeps one line of a --param.
    const asPassedOnTheCommandLine = publicKeyPem.trim().replace(/\n/g, ' ');
    expect(evaluateStatic(config.EncodedKey, { CdnPublicKeyPem: asPassedOnTheCommandLine })).toBe(publicKeyPem);
    // A multi-line PEM set under `params:` passes through unchanged.
    expect(evaluateStatic(config.EncodedKey, { CdnPublicKeyPem: publicKeyPem })).toBe(publicKeyPem);
  });

  it('packages without a key, and a deploy without one fails on the parameter pattern with a clear message', () => {
    const parameter = template.Parameters?.CdnPublicKeyPem;
    const pattern = new RegExp(parameter?.AllowedPattern ?? '^$');

    expect(pattern.test(publicKeyPem)).toBe(true);
    expect(pattern.test(publicKeyPem.trim().replace(/\n/g, ' '))).toBe(true);
    expect(pattern.test('')).toBe(false);
    expect(pattern.test('-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----')).toBe(false);
    expect(parameter?.ConstraintDescription).toContain('cdnPublicKeyPem');
  });

  it('tells registerAsset the playback domain and outputs the distribution and key id', () => {
    const variables = (properties(template, 'RegisterAssetLambdaFunction').Environment as { Variables: object })
      .Variables;
    expect(variables).toMatchObject({ CDN_DOMAIN: { 'Fn::GetAtt': ['PlaybackDistribution', 'DomainName'] } });
    expect(template.Outputs).toMatchObject({
      PlaybackDistributionId: { Value: { Ref: 'PlaybackDistribution' } },
      PlaybackDistributionDomainName: { Value: { 'Fn::GetAtt': ['PlaybackDistribution', 'DomainName'] } },
      PlaybackPublicKeyId: { Value: { Ref: 'PlaybackPublicKey' } },
    });
  });
});
