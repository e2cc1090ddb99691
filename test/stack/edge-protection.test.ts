import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { parse } from 'yaml';
import {
  type CfnTemplate,
  conditionHolds,
  deployParameters,
  failedRules,
  packageStack,
  parameterAccepts,
  properties,
  REPO_ROOT,
  resolveForDeployment,
  resource,
} from '../support/cloudformation';

let template: CfnTemplate;

beforeAll(async () => {
  ({ template } = await packageStack());
}, 180_000);

const WEB_ACL_TEMPLATE = join(REPO_ROOT, 'templates', 'cloudformation', 'playback-web-acl.yml');
const SHARED_WEB_ACL = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/vodflow-prod-playback-web-acl/0a1b2c3d';

interface ByteMatch {
  SearchString: string;
  PositionalConstraint: string;
  FieldToMatch: Record<string, unknown>;
  TextTransformations: { Type: string }[];
}
interface WafRule {
  Name: string;
  Action?: Record<string, unknown>;
  Statement: {
    RateBasedStatement?: {
      Limit: unknown;
      AggregateKeyType: string;
      EvaluationWindowSec: number;
      ScopeDownStatement: {
        ByteMatchStatement?: ByteMatch;
        OrStatement?: { Statements: { ByteMatchStatement: ByteMatch }[] };
      };
    };
    ManagedRuleGroupStatement?: { VendorName: string; Name: string };
  };
}

const webAclRules = () => properties(template, 'PlaybackWebAcl').Rules as WafRule[];
/** The URI-path prefixes a rate-based rule counts. */
const countedPrefixes = (rule: WafRule): string[] => {
  const scope = rule.Statement.RateBasedStatement?.ScopeDownStatement;
  const matches = scope?.OrStatement
    ? scope.OrStatement.Statements.map((statement) => statement.ByteMatchStatement)
    : [scope?.ByteMatchStatement];
  return matches.map((match) => {
    expect(match).toMatchObject({ FieldToMatch: { UriPath: {} }, PositionalConstraint: 'STARTS_WITH' });
    expect(match?.TextTransformations.map((transformation) => transformation.Type)).toContain('URL_DECODE');
    return String(match?.SearchString);
  });
};
const webAclOf = (deployment: { region: string; params?: Record<string, string> }) =>
  resolveForDeployment(template, properties(template, 'PlaybackDistribution').DistributionConfig, {
    region: deployment.region,
    parameters: deployParameters(deployment.params),
  }) as { WebACLId: string };

describe('WAF web ACL', () => {
  it('is a CloudFront-scope web ACL with rate limits per IP on the play and the playback paths', () => {
    expect(properties(template, 'PlaybackWebAcl')).toMatchObject({ Scope: 'CLOUDFRONT', DefaultAction: { Allow: {} } });
    const rateRules = webAclRules().filter((rule) => rule.Statement.RateBasedStatement !== undefined);
    expect(
      rateRules.map((rule) => [rule.Name, countedPrefixes(rule), rule.Statement.RateBasedStatement?.Limit]),
    ).toEqual([
      ['limit-play-requests-per-ip', ['/api/play/'], { Ref: 'PlayRequestsPerFiveMinutes' }],
      ['limit-playback-requests-per-ip', ['/out/v1/', '/assets/'], { Ref: 'PlaybackRequestsPerFiveMinutes' }],
    ]);
    for (const rule of rateRules) {
      expect(rule.Statement.RateBasedStatement).toMatchObject({ AggregateKeyType: 'IP', EvaluationWindowSec: 300 });
      expect(rule.Action).toEqual({ Block: { CustomResponse: { ResponseCode: 429 } } });
    }
    expect(deployParameters()).toMatchObject({
      PlayRequestsPerFiveMinutes: '100',
      PlaybackRequestsPerFiveMinutes: '6000',
    });
  });

  it('adds the AWS managed IP reputation and common rule groups', () => {
    const managed = webAclRules().flatMap((rule) => rule.Statement.ManagedRuleGroupStatement ?? []);
    expect(managed).toEqual([
      expect.objectContaining({ VendorName: 'AWS', Name: 'AWSManagedRulesAmazonIpReputationList' }),
      expect.objectContaining({ VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' }),
    ]);
  });

  it('uses exactly the rules and limits of the standalone us-east-1 template', () => {
    const standalone = parse(readFileSync(WEB_ACL_TEMPLATE, 'utf8')) as CfnTemplate;
    expect(webAclRules()).toEqual(standalone.Resources.PlaybackWebAcl?.Properties?.Rules);
    expect(template.Parameters?.PlayRequestsPerFiveMinutes).toEqual(standalone.Parameters?.PlayRequestsPerFiveMinutes);
    expect(standalone.Resources.PlaybackWebAcl?.Properties).toMatchObject({ Scope: 'CLOUDFRONT' });
    // The standalone template refuses any region but us-east-1 before creating anything.
    expect(failedRules(standalone, { region: 'eu-west-1' })).toHaveLength(1);
    expect(failedRules(standalone, { region: 'us-east-1' })).toEqual([]);
    expect(standalone.Outputs?.WebAclArn?.Value).toEqual({ 'Fn::GetAtt': ['PlaybackWebAcl', 'Arn'] });
  });

  it('is created and attached by the stack itself in us-east-1', () => {
    expect(resource(template, 'PlaybackWebAcl')).toMatchObject({ Condition: 'CreateWebAcl' });
    const deployment = { region: 'us-east-1', parameters: deployParameters() };
    expect(failedRules(template, deployment)).toEqual([]);
    expect(conditionHolds(template, 'CreateWebAcl', deployment)).toBe(true);
    expect(webAclOf({ region: 'us-east-1' }).WebACLId).toBe('GetAtt:PlaybackWebAcl.Arn');
  });

  it('outside us-east-1 attaches the web ACL passed as webAclArn, and a deploy without one stops at once', () => {
    const withArn = { region: 'eu-west-1', parameters: deployParameters({ webAclArn: SHARED_WEB_ACL }) };
    expect(failedRules(template, withArn)).toEqual([]);
    expect(conditionHolds(template, 'CreateWebAcl', withArn)).toBe(false);
    expect(webAclOf({ region: 'eu-west-1', params: { webAclArn: SHARED_WEB_ACL } }).WebACLId).toBe(SHARED_WEB_ACL);

    const withoutArn = { region: 'eu-west-1', parameters: deployParameters() };
    expect(failedRules(template, withoutArn)).toEqual([
      expect.stringContaining('templates/cloudformation/playback-web-acl.yml'),
    ]);
  });

  it('in us-east-1 can share an existing web ACL instead of creating one', () => {
    const deployment = { region: 'us-east-1', parameters: deployParameters({ webAclArn: SHARED_WEB_ACL }) };
    expect(conditionHolds(template, 'CreateWebAcl', deployment)).toBe(false);
    expect(webAclOf({ region: 'us-east-1', params: { webAclArn: SHARED_WEB_ACL } }).WebACLId).toBe(SHARED_WEB_ACL);
  });

  it('accepts only a global web ACL of us-east-1 as webAclArn', () => {
    expect(parameterAccepts(template, 'WebAclArn', '')).toBe(true);
    expect(parameterAccepts(template, 'WebAclArn', SHARED_WEB_ACL)).toBe(true);
    expect(parameterAccepts(template, 'WebAclArn', SHARED_WEB_ACL.replace('us-east-1', 'eu-west-1'))).toBe(false);
    expect(parameterAccepts(template, 'WebAclArn', SHARED_WEB_ACL.replace('global', 'regional'))).toBe(false);
  });
});

describe('the /api/* CloudFront Function', () => {
  interface ViewerRequest {
    uri: string;
    method: string;
    querystring: Record<string, { value: string }>;
    headers: Record<string, { value: string }>;
    cookies: Record<string, { value: string }>;
  }
  /** Runs the function code exactly as deployed, as a script in a fresh context (no `module`, no `require`). */
  const runAtEdge = (uri: string): ViewerRequest => {
    const code = properties(template, 'StripApiPrefixFunction').FunctionCode as string;
    const request: ViewerRequest = {
      uri,
      method: 'POST',
      querystring: { page: { value: '2' } },
      headers: { authorization: { value: 'Bearer token' }, origin: { value: 'https://app.example.com' } },
      cookies: {},
    };
    const event = { version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: '192.0.2.1' }, request };
    return runInNewContext(`${code}\nhandler(event);`, { event }) as ViewerRequest;
  };

  it('is a cloudfront-js-2.0 function on viewer requests of /api/* only', () => {
    expect(properties(template, 'StripApiPrefixFunction')).toMatchObject({
      AutoPublish: true,
      FunctionConfig: { Runtime: 'cloudfront-js-2.0' },
    });
    const config = properties(template, 'PlaybackDistribution').DistributionConfig as {
      DefaultCacheBehavior: Record<string, unknown>;
      CacheBehaviors: { PathPattern: string; FunctionAssociations?: unknown }[];
    };
    const associated = config.CacheBehaviors.filter((behavior) => behavior.FunctionAssociations !== undefined);
    expect(associated.map((behavior) => [behavior.PathPattern, behavior.FunctionAssociations])).toEqual([
      [
        '/api/*',
        [{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': ['StripApiPrefixFunction', 'FunctionARN'] } }],
      ],
    ]);
    expect(config.DefaultCacheBehavior.FunctionAssociations).toBeUndefined();
  });

  it('strips the /api prefix and leaves the rest of the request alone', () => {
    const stripped = runAtEdge('/api/play/a0123456789abcdef01234567');
    expect(stripped.uri).toBe('/play/a0123456789abcdef01234567');
    expect(stripped.querystring).toEqual({ page: { value: '2' } });
    expect(stripped.headers.authorization).toEqual({ value: 'Bearer token' });
    expect(runAtEdge('/api/videos/a1/unpublish').uri).toBe('/videos/a1/unpublish');
    expect(runAtEdge('/api/uploads').uri).toBe('/uploads');
    expect(runAtEdge('/api/').uri).toBe('/');
    expect(runAtEdge('/api').uri).toBe('/');
  });

  it('does not touch paths that merely start with the letters api', () => {
    expect(runAtEdge('/apis/play/a1').uri).toBe('/apis/play/a1');
    expect(runAtEdge('/out/v1/api/index.m3u8').uri).toBe('/out/v1/api/index.m3u8');
  });

  it('deploys exactly templates/cloudfront/strip-api-prefix.cjs, which Node can also load as a module', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require('../../templates/cloudfront/strip-api-prefix.cjs') as {
      handler: (event: { request: { uri: string } }) => { uri: string };
    };
    expect(loaded.handler({ request: { uri: '/api/videos' } }).uri).toBe('/videos');
    expect(properties(template, 'StripApiPrefixFunction').FunctionCode).toBe(
      readFileSync(join(REPO_ROOT, 'templates', 'cloudfront', 'strip-api-prefix.cjs'), 'utf8'),
    );
  });
});
