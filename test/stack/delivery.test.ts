import {
  type CfnTemplate,
  deployParameters,
  evaluateStatic,
  packageStack,
  PREFIX,
  properties,
  resolveForDeployment,
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
  AllowedMethods: string[];
  TrustedKeyGroups?: unknown[];
  CachePolicyId?: unknown;
  OriginRequestPolicyId?: unknown;
  ResponseHeadersPolicyId?: unknown;
  FunctionAssociations?: { EventType: string; FunctionARN: unknown }[];
}

interface Origin {
  Id: string;
  DomainName: unknown;
  CustomOriginConfig?: { OriginProtocolPolicy: string };
  S3OriginConfig?: unknown;
  OriginAccessControlId?: unknown;
  OriginCustomHeaders?: { HeaderName: string; HeaderValue: unknown }[];
  OriginShield?: { Enabled: boolean; OriginShieldRegion: unknown };
}

interface CachePolicyConfig {
  MinTTL: number;
  DefaultTTL: number;
  MaxTTL: number;
  ParametersInCacheKeyAndForwardedToOrigin: {
    HeadersConfig: { HeaderBehavior: string };
    CookiesConfig: { CookieBehavior: string };
    QueryStringsConfig: { QueryStringBehavior: string; QueryStrings?: string[] };
  };
}

const PLAYBACK_PATHS = ['/out/v1/*.m3u8', '/out/v1/*.mpd', '/out/v1/*', '/assets/*', 'default'];
const AWS_MANAGED_CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const AWS_MANAGED_ALL_VIEWER_EXCEPT_HOST = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

const distributionConfig = () =>
  properties(template, 'PlaybackDistribution').DistributionConfig as Record<string, unknown>;
const behaviors = (): Behavior[] => {
  const config = distributionConfig();
  return [config.DefaultCacheBehavior as Behavior, ...((config.CacheBehaviors as Behavior[] | undefined) ?? [])];
};
const pathOf = (behavior: Behavior) => behavior.PathPattern ?? 'default';
const origin = (id: string): Origin => {
  const found = (distributionConfig().Origins as Origin[]).find((candidate) => candidate.Id === id);
  if (found === undefined) throw new Error(`no origin ${id}`);
  return found;
};
const behaviorFor = (pathPattern: string): Behavior => {
  const found = behaviors().find((behavior) => pathOf(behavior) === pathPattern);
  if (found === undefined) throw new Error(`no behaviour for ${pathPattern}`);
  return found;
};
/** The behaviour CloudFront picks for a path: the first PathPattern that matches (`*` spans `/`), else the default. */
const behaviorServing = (path: string): Behavior => {
  const [defaultBehavior, ...ordered] = behaviors();
  const matches = (pattern: string) =>
    new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(path);
  return ordered.find((behavior) => matches(behavior.PathPattern ?? '')) ?? defaultBehavior!;
};
const cachePolicy = (behavior: Behavior): CachePolicyConfig => {
  const logicalId = (behavior.CachePolicyId as { Ref?: string }).Ref;
  if (logicalId === undefined) throw new Error(`${pathOf(behavior)} uses no cache policy of this stack`);
  return properties(template, logicalId).CachePolicyConfig as CachePolicyConfig;
};

describe('playback distribution', () => {
  it('requires a signed cookie or URL from the playback key group on every playback behaviour, not on /api/*', () => {
    expect(behaviors().map(pathOf).sort()).toEqual([...PLAYBACK_PATHS, '/api/*'].sort());
    for (const path of PLAYBACK_PATHS) {
      const behavior = behaviorFor(path);
      expect({ path, keyGroups: behavior.TrustedKeyGroups }).toEqual({
        path,
        keyGroups: [{ Ref: 'PlaybackKeyGroup' }],
      });
      expect(behavior.ViewerProtocolPolicy).toBe('redirect-to-https');
      expect(behavior.AllowedMethods).toEqual(['GET', 'HEAD', 'OPTIONS']);
    }
    // The viewer API answers anonymous requests itself (public assets play without a token).
    expect(behaviorFor('/api/*').TrustedKeyGroups).toBeUndefined();
  });

  it('routes each kind of request to the right origin, in the order CloudFront matches behaviours', () => {
    const served = (path: string) => {
      const behavior = behaviorServing(path);
      return { origin: behavior.TargetOriginId, signed: behavior.TrustedKeyGroups !== undefined };
    };
    expect(served('/api/play/a1b2')).toEqual({ origin: 'http-api', signed: false });
    expect(served('/out/v1/abc/def/ghi/index.m3u8')).toEqual({ origin: 'mediapackage-vod', signed: true });
    expect(served('/out/v1/abc/def/ghi/index.mpd')).toEqual({ origin: 'mediapackage-vod', signed: true });
    expect(served('/out/v1/abc/def/ghi/segment_1.m4s')).toEqual({ origin: 'mediapackage-vod', signed: true });
    expect(served('/assets/a1/p1/poster.jpg')).toEqual({ origin: 'media-bucket', signed: true });
    expect(served('/anything-else')).toEqual({ origin: 'media-bucket', signed: true });
  });

  it('serves just-in-time HLS/DASH from MediaPackage VOD over HTTPS', () => {
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

  // Which region: test/stack/deployable-template.test.ts (the CloudFront guide's table, as a mapping).
  it('puts Origin Shield in front of MediaPackage and the media bucket', () => {
    for (const id of ['mediapackage-vod', 'media-bucket']) {
      expect({ id, shield: origin(id).OriginShield }).toEqual({
        id,
        shield: {
          Enabled: true,
          OriginShieldRegion: { 'Fn::FindInMap': ['OriginShieldRegions', { Ref: 'AWS::Region' }, 'Region'] },
        },
      });
    }
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

  it('tells registerAsset the playback base URL and outputs the distribution and key id', () => {
    const variables = (properties(template, 'RegisterAssetLambdaFunction').Environment as { Variables: object })
      .Variables;
    expect(variables).toMatchObject({ CDN_BASE_URL: { 'Fn::Sub': 'https://${PlaybackDistribution.DomainName}' } });
    expect(variables).not.toHaveProperty('CDN_DOMAIN');
    expect(template.Outputs).toMatchObject({
      PlaybackDistributionId: { Value: { Ref: 'PlaybackDistribution' } },
      PlaybackDistributionDomainName: { Value: { 'Fn::GetAtt': ['PlaybackDistribution', 'DomainName'] } },
      PlaybackPublicKeyId: { Value: { Ref: 'PlaybackPublicKey' } },
      ApiBaseUrl: { Value: { 'Fn::Sub': 'https://${PlaybackDistribution.DomainName}/api' } },
    });
  });
});

describe('MediaPackage VOD answers CloudFront only (CDN authorization)', () => {
  const identifierReference =
    '{{resolve:secretsmanager:${CdnIdentifierSecret}:SecretString:MediaPackageCDNIdentifier}}';

  it('sends the generated secret as X-MediaPackage-CDNIdentifier on the MediaPackage origin only', () => {
    expect(origin('mediapackage-vod').OriginCustomHeaders).toEqual([
      { HeaderName: 'X-MediaPackage-CDNIdentifier', HeaderValue: { 'Fn::Sub': identifierReference } },
    ]);
    expect(origin('media-bucket').OriginCustomHeaders).toBeUndefined();
    expect(origin('http-api').OriginCustomHeaders).toBeUndefined();
  });

  it('has CloudFormation generate the identifier under the key MediaPackage reads, 8 to 128 characters', () => {
    const generated = properties(template, 'CdnIdentifierSecret').GenerateSecretString as Record<string, unknown>;
    expect(generated).toMatchObject({ SecretStringTemplate: '{}', GenerateStringKey: 'MediaPackageCDNIdentifier' });
    expect(generated.PasswordLength).toBeGreaterThanOrEqual(32);
    expect(generated.PasswordLength).toBeLessThanOrEqual(128);
    // Header values cannot carry every punctuation character; letters and digits always pass.
    expect(generated.ExcludePunctuation).toBe(true);
  });

  it('makes the packaging group require the same secret, read through a role MediaPackage assumes', () => {
    expect(properties(template, 'PackagingGroup').Authorization).toEqual({
      CdnIdentifierSecret: { Ref: 'CdnIdentifierSecret' },
      SecretsRoleArn: { 'Fn::GetAtt': ['MediaPackageCdnAuthorizationRole', 'Arn'] },
    });
  });
});

describe('cache policies', () => {
  it('caches manifests for seconds (between 1 and 10) and keys them on MediaPackage query parameters only', () => {
    for (const path of ['/out/v1/*.m3u8', '/out/v1/*.mpd']) {
      const policy = cachePolicy(behaviorFor(path));
      expect({ path, ttl: [policy.MinTTL, policy.DefaultTTL, policy.MaxTTL] }).toEqual({ path, ttl: [1, 5, 10] });
      expect(policy.ParametersInCacheKeyAndForwardedToOrigin).toMatchObject({
        HeadersConfig: { HeaderBehavior: 'none' },
        CookiesConfig: { CookieBehavior: 'none' },
        QueryStringsConfig: { QueryStringBehavior: 'whitelist', QueryStrings: ['aws.manifestfilter', 'start', 'end'] },
      });
    }
  });

  it('caches segments, posters and thumbnails for a year (at least a day whatever the origin says)', () => {
    for (const path of ['/out/v1/*', '/assets/*', 'default']) {
      const policy = cachePolicy(behaviorFor(path));
      expect({ path, ttl: [policy.MinTTL, policy.DefaultTTL, policy.MaxTTL] }).toEqual({
        path,
        ttl: [86_400, 31_536_000, 31_536_000],
      });
      expect(policy.ParametersInCacheKeyAndForwardedToOrigin).toMatchObject({
        HeadersConfig: { HeaderBehavior: 'none' },
        CookiesConfig: { CookieBehavior: 'none' },
        QueryStringsConfig: { QueryStringBehavior: 'none' },
      });
    }
  });

  it('never caches the API and forwards everything the viewer sent but Host', () => {
    const api = behaviorFor('/api/*');
    expect(api).toMatchObject({
      TargetOriginId: 'http-api',
      ViewerProtocolPolicy: 'https-only',
      CachePolicyId: AWS_MANAGED_CACHING_DISABLED,
      OriginRequestPolicyId: AWS_MANAGED_ALL_VIEWER_EXCEPT_HOST,
    });
    expect([...api.AllowedMethods].sort()).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
    expect(origin('http-api')).toMatchObject({
      DomainName: { 'Fn::Sub': '${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}' },
      CustomOriginConfig: { OriginProtocolPolicy: 'https-only' },
    });
  });
});

describe('response headers', () => {
  const policyOf = (behavior: Behavior) => {
    const logicalId = (behavior.ResponseHeadersPolicyId as { Ref?: string }).Ref;
    if (logicalId === undefined) throw new Error(`${pathOf(behavior)} has no response headers policy of this stack`);
    return properties(template, logicalId).ResponseHeadersPolicyConfig as Record<string, unknown>;
  };
  const corsFor = (behavior: Behavior, corsAllowedOrigins: string) =>
    resolveForDeployment(template, policyOf(behavior).CorsConfig, {
      parameters: deployParameters({ corsAllowedOrigins }),
    }) as Record<string, unknown> | undefined;

  it('allows credentialed CORS on playback for exactly the configured origins, never *', () => {
    for (const path of PLAYBACK_PATHS) {
      const cors = corsFor(behaviorFor(path), 'https://app.example.com,http://localhost:5173');
      expect({ path, cors }).toEqual({
        path,
        cors: expect.objectContaining({
          AccessControlAllowCredentials: true,
          AccessControlAllowOrigins: { Items: ['https://app.example.com', 'http://localhost:5173'] },
          AccessControlAllowMethods: { Items: ['GET', 'HEAD', 'OPTIONS'] },
          OriginOverride: true,
        }),
      });
    }
  });

  it('sends no CORS headers at all when no origin is configured (the default)', () => {
    expect(deployParameters().CorsAllowedOrigins).toBe('');
    for (const path of PLAYBACK_PATHS) expect({ path, cors: corsFor(behaviorFor(path), '') }).toEqual({ path });
  });

  it('refuses * and anything that is not a list of origins at deploy time', () => {
    const pattern = new RegExp(template.Parameters?.CorsAllowedOrigins?.AllowedPattern ?? '');
    for (const accepted of ['', 'https://app.example.com', 'https://a.example.com,http://localhost:5173']) {
      expect({ accepted, ok: pattern.test(accepted) }).toEqual({ accepted, ok: true });
    }
    for (const refused of ['*', 'https://*.example.com', 'https://app.example.com/', 'app.example.com', 'null']) {
      expect({ refused, ok: pattern.test(refused) }).toEqual({ refused, ok: false });
    }
  });

  it('adds security headers everywhere and immutable browser caching to segments and images', () => {
    for (const behavior of behaviors()) {
      expect({ path: pathOf(behavior), security: policyOf(behavior).SecurityHeadersConfig }).toEqual({
        path: pathOf(behavior),
        security: expect.objectContaining({
          StrictTransportSecurity: expect.objectContaining({ Override: true }),
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
        }),
      });
    }
    for (const path of ['/out/v1/*', '/assets/*', 'default']) {
      expect(policyOf(behaviorFor(path)).CustomHeadersConfig).toEqual({
        Items: [{ Header: 'Cache-Control', Value: 'private, max-age=31536000, immutable', Override: true }],
      });
    }
    // The API's CORS comes from the HTTP API (preflight included); the edge does not override it.
    expect(policyOf(behaviorFor('/api/*')).CorsConfig).toBeUndefined();
  });
});
