import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadModel, validateShape } from '../support/aws-model';
import {
  allPolicyStatements,
  asArray,
  type CfnTemplate,
  describeReference,
  type PolicyStatement,
  packageStack,
  properties,
  REPO_ROOT,
  resource,
  STAGE,
  trustedServices,
} from '../support/cloudformation';

/**
 * What CloudFormation and the services behind it refuse at deploy time, checked on the packaged template: values
 * that must match a service's own patterns, regions a feature exists in, and the IAM policy a service documents.
 * (cfn-lint, run by `npm run lint:template`, checks the same template against CloudFormation's resource schemas.)
 */

let template: CfnTemplate;

beforeAll(async () => {
  ({ template } = await packageStack());
}, 180_000);

interface Mappings {
  OriginShieldRegions: Record<string, { Region: string }>;
}

const mappings = () => (template as CfnTemplate & { Mappings: Mappings }).Mappings;

describe('Origin Shield region', () => {
  // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/origin-shield.html#choose-origin-shield-region
  // "CloudFront offers Origin Shield in the following AWS Regions" ...
  const ORIGIN_SHIELD_REGIONS = [
    'us-east-2',
    'us-east-1',
    'us-west-2',
    'ap-south-1',
    'ap-northeast-2',
    'ap-southeast-1',
    'ap-southeast-2',
    'ap-northeast-1',
    'eu-central-1',
    'eu-west-1',
    'eu-west-2',
    'sa-east-1',
  ];
  // ... and "If your origin is in ..., enable Origin Shield in ...".
  const NEAREST_ORIGIN_SHIELD_REGION: Record<string, string> = {
    'us-west-1': 'us-west-2',
    'af-south-1': 'eu-west-1',
    'ap-east-1': 'ap-southeast-1',
    'ca-central-1': 'us-east-1',
    'eu-south-1': 'eu-central-1',
    'eu-west-3': 'eu-west-2',
    'eu-north-1': 'eu-west-2',
    'me-south-1': 'ap-south-1',
  };

  const shieldedOrigins = () => {
    const config = properties(template, 'PlaybackDistribution').DistributionConfig as {
      Origins: { Id: string; OriginShield?: { Enabled: boolean; OriginShieldRegion: unknown } }[];
    };
    return config.Origins.filter((origin) => origin.OriginShield !== undefined);
  };

  /** The region CloudFront receives for a stack deployed in `region` (Fn::FindInMap as CloudFormation resolves it). */
  const originShieldRegionFor = (region: string): string => {
    const [origin] = shieldedOrigins();
    const lookup = (origin?.OriginShield?.OriginShieldRegion as { 'Fn::FindInMap': [string, unknown, string] })[
      'Fn::FindInMap'
    ];
    expect(lookup).toEqual(['OriginShieldRegions', { Ref: 'AWS::Region' }, 'Region']);
    const entry = mappings().OriginShieldRegions[region];
    // CloudFormation fails the deploy ("Unable to get mapping") when the key is missing.
    if (entry === undefined) throw new Error(`no Origin Shield region is mapped for ${region}`);
    return entry.Region;
  };

  it('puts both origins behind Origin Shield in the region the CloudFront guide names for the stack region', () => {
    expect(shieldedOrigins().map((origin) => origin.Id)).toEqual(['mediapackage-vod', 'media-bucket']);
    for (const origin of shieldedOrigins()) {
      expect(origin.OriginShield).toEqual({
        Enabled: true,
        OriginShieldRegion: { 'Fn::FindInMap': ['OriginShieldRegions', { Ref: 'AWS::Region' }, 'Region'] },
      });
    }
    expect(originShieldRegionFor('us-east-1')).toBe('us-east-1');
    expect(originShieldRegionFor('eu-west-1')).toBe('eu-west-1');
    expect(originShieldRegionFor('eu-west-3')).toBe('eu-west-2');
    expect(originShieldRegionFor('ca-central-1')).toBe('us-east-1');
  });

  it('maps a region that offers Origin Shield to itself and every other one as the guide table says', () => {
    const expected = {
      ...Object.fromEntries(ORIGIN_SHIELD_REGIONS.map((region) => [region, region])),
      ...NEAREST_ORIGIN_SHIELD_REGION,
    };
    const mapped = Object.fromEntries(
      Object.entries(mappings().OriginShieldRegions).map(([region, entry]) => [region, entry.Region]),
    );
    expect(mapped).toEqual(expected);
  });

  it('has an Origin Shield region for every region the stack is linted (and deployable) in', () => {
    const { regions } = parse(readFileSync(join(REPO_ROOT, '.cfnlintrc.yaml'), 'utf8')) as { regions: string[] };
    expect(regions.length).toBeGreaterThan(1);
    for (const region of regions) expect(ORIGIN_SHIELD_REGIONS).toContain(originShieldRegionFor(region));
  });
});

describe('WAF web ACL description', () => {
  // WAFv2's own API model: CreateWebACLRequest.Description is an EntityDescription (pattern, 1 to 256 characters).
  const wafv2 = loadModel('wafv2');
  const standalone = parse(
    readFileSync(join(REPO_ROOT, 'templates', 'cloudformation', 'playback-web-acl.yml'), 'utf8'),
  ) as CfnTemplate;

  it('is checked against the shape WAFv2 declares for CreateWebACL', () => {
    expect(wafv2.shapes.CreateWebACLRequest?.members?.Description).toEqual({ shape: 'EntityDescription' });
    // The pattern is real: a semicolon, as the description once had, fails it.
    expect(validateShape(wafv2, 'EntityDescription', 'vodflow playback edge; rate limits')).toHaveLength(1);
  });

  it('matches the EntityDescription pattern in the stack and in the standalone template', () => {
    const stackDescription = properties(template, 'PlaybackWebAcl').Description;
    expect(stackDescription).toBe(`vodflow ${STAGE} playback edge, rate limits on entitlement and playback requests`);
    expect(validateShape(wafv2, 'EntityDescription', stackDescription)).toEqual([]);
    const standaloneDescription = standalone.Resources.PlaybackWebAcl?.Properties?.Description;
    expect(validateShape(wafv2, 'EntityDescription', standaloneDescription)).toEqual([]);
  });
});

describe('MediaPackage CDN authorization role', () => {
  const ROLE = 'MediaPackageCdnAuthorizationRole';
  const POLICY = 'MediaPackageCdnAuthorizationPolicy';

  /** Every policy statement that applies to the role, wherever it is written. */
  const statementsOfRole = (): PolicyStatement[] => {
    const attached = Object.entries(template.Resources)
      .filter(([, candidate]) => describeReference(candidate.Properties?.RoleName) === `Ref:${ROLE}`)
      .map(([logicalId]) => logicalId);
    expect(attached).toEqual([POLICY]);
    return allPolicyStatements(template)
      .filter(({ logicalId, kind }) => (logicalId === ROLE || logicalId === POLICY) && kind === 'identity')
      .map(({ statement }) => statement);
  };

  it('is assumable by MediaPackage and is the role the packaging group reads its secret with', () => {
    expect(trustedServices(template, ROLE)).toEqual(['mediapackage.amazonaws.com']);
    expect(properties(template, 'PackagingGroup').Authorization).toMatchObject({
      SecretsRoleArn: { 'Fn::GetAtt': [ROLE, 'Arn'] },
    });
  });

  // https://docs.aws.amazon.com/mediapackage/latest/ug/setting-up-create-trust-rel-policy-cdn.html
  it("grants exactly MediaPackage's documented policy, on the CDN identifier secret and on the role itself", () => {
    const grants = statementsOfRole().map((statement) => ({
      effect: statement.Effect,
      actions: asArray(statement.Action).sort(),
      resources: asArray(statement.Resource).map(describeReference),
      condition: statement.Condition,
    }));
    expect(grants).toEqual([
      {
        effect: 'Allow',
        actions: [
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:ListSecretVersionIds',
          'secretsmanager:ListSecrets',
        ],
        resources: ['Ref:CdnIdentifierSecret'],
        condition: undefined,
      },
      {
        effect: 'Allow',
        actions: ['iam:GetRole', 'iam:PassRole'],
        resources: [`GetAtt:${ROLE}.Arn`],
        condition: undefined,
      },
    ]);
    expect(properties(template, ROLE).ManagedPolicyArns).toBeUndefined();
  });

  it('is in place before the packaging group that uses it is created', () => {
    expect(asArray(resource(template, 'PackagingGroup').DependsOn)).toContain(POLICY);
  });
});
