import {
  type CfnTemplate,
  conditionHolds,
  deployParameters,
  describeReference,
  failedRules,
  packageStack,
  parameterAccepts,
  PREFIX,
  properties,
  resolveForDeployment,
  resource,
  resourcesOfType,
} from '../support/cloudformation';

let template: CfnTemplate;

beforeAll(async () => {
  ({ template } = await packageStack());
}, 180_000);

/** Route -> function, as the issue and the README define the API. */
const ROUTES: Record<string, string> = {
  'POST /uploads': 'CreateUploadLambdaFunction',
  'GET /videos': 'ListVideosLambdaFunction',
  'GET /videos/{assetId}': 'GetVideoLambdaFunction',
  'POST /play/{assetId}': 'AuthorizePlaybackLambdaFunction',
  'POST /videos/{assetId}/unpublish': 'UnpublishVideoLambdaFunction',
};

const VIEWER_API = [
  'CATALOGUE_TABLE',
  'JWT_ISSUER',
  'JWT_AUDIENCE',
  'JWKS_URL',
  'ENTITLEMENTS_CLAIM',
  'CORS_ALLOWED_ORIGINS',
];
/** Each function gets what it needs and nothing else (beyond NODE_OPTIONS and LOG_LEVEL). */
const ENVIRONMENT: Record<string, string[]> = {
  CreateUploadLambdaFunction: [
    ...VIEWER_API,
    'SOURCE_BUCKET',
    'UPLOAD_MAX_BYTES',
    'UPLOAD_URL_TTL_SECONDS',
    'MULTIPART_THRESHOLD_BYTES',
    'MULTIPART_PART_BYTES',
  ],
  // The CDN base puts stored poster and playback URLs on the current CDN domain.
  ListVideosLambdaFunction: [...VIEWER_API, 'CDN_BASE_URL'],
  GetVideoLambdaFunction: [...VIEWER_API, 'CDN_BASE_URL'],
  AuthorizePlaybackLambdaFunction: [
    ...VIEWER_API,
    'CDN_BASE_URL',
    'CLOUDFRONT_KEY_PAIR_ID',
    'SIGNING_KEY_SECRET_ID',
    'COOKIE_TTL_SECONDS',
    'COOKIE_BIND_IP',
    'COOKIE_SECURE',
    'COOKIE_SAME_SITE',
  ],
  UnpublishVideoLambdaFunction: [...VIEWER_API, 'CDN_BASE_URL', 'DISTRIBUTION_ID'],
};

const variables = (functionLogicalId: string) =>
  (properties(template, functionLogicalId).Environment as { Variables: Record<string, unknown> }).Variables;
const environmentFor = (functionLogicalId: string, params: Record<string, string> = {}) =>
  resolveForDeployment(template, variables(functionLogicalId), { parameters: deployParameters(params) }) as Record<
    string,
    string
  >;

describe('HTTP API', () => {
  it('routes each endpoint to its own function, with no API Gateway authorizer (the functions verify tokens)', () => {
    const routes = resourcesOfType(template, 'AWS::ApiGatewayV2::Route').map(([, route]) => {
      const props = route.Properties ?? {};
      const integrationId = (props.Target as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]
        .map(describeReference)
        .find((reference) => reference?.startsWith('Ref:'))
        ?.slice('Ref:'.length);
      const integration = properties(template, integrationId ?? '');
      expect(props.AuthorizationType ?? 'NONE').toBe('NONE');
      expect(props.AuthorizerId).toBeUndefined();
      return [props.RouteKey, describeReference(integration.IntegrationUri)] as const;
    });
    expect(Object.fromEntries(routes)).toEqual(
      Object.fromEntries(Object.entries(ROUTES).map(([route, fn]) => [route, `GetAtt:${fn}.Arn`])),
    );
    expect(properties(template, 'HttpApi')).toMatchObject({ Name: `${PREFIX}-api`, ProtocolType: 'HTTP' });
  });

  it('answers CORS (preflight included) with credentials for the configured origins only', () => {
    const cors = (corsAllowedOrigins: string) =>
      resolveForDeployment(template, properties(template, 'HttpApi'), {
        parameters: deployParameters({ corsAllowedOrigins }),
      }) as { CorsConfiguration?: Record<string, unknown> };
    expect(cors('https://app.example.com,https://admin.example.com').CorsConfiguration).toEqual({
      AllowOrigins: ['https://app.example.com', 'https://admin.example.com'],
      AllowCredentials: true,
      AllowMethods: ['GET', 'POST', 'OPTIONS'],
      AllowHeaders: ['Authorization', 'Content-Type'],
      MaxAge: 600,
    });
    expect(cors('').CorsConfiguration).toBeUndefined();
    expect(parameterAccepts(template, 'CorsAllowedOrigins', '*')).toBe(false);
  });

  it('logs every request (no headers, so no token or cookie) for the configured retention, and is throttled', () => {
    const stage = properties(template, 'HttpApiStage');
    const settings = stage.AccessLogSettings as { DestinationArn: unknown; Format: string };
    expect(describeReference(settings.DestinationArn)).toBe('GetAtt:HttpApiLogGroup.Arn');
    const fields = JSON.parse(settings.Format) as Record<string, string>;
    expect(fields).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    expect(Object.values(fields).join(' ')).not.toMatch(/header|authorization|cookie/i);
    expect(properties(template, 'HttpApiLogGroup').RetentionInDays).toBe(30);
    expect(stage.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 });
  });
});

describe('viewer API functions', () => {
  it.each(Object.entries(ENVIRONMENT))('%s gets exactly the settings it needs', (functionLogicalId, expected) => {
    const names = Object.keys(variables(functionLogicalId)).filter(
      (name) => !['NODE_OPTIONS', 'LOG_LEVEL'].includes(name),
    );
    expect(names.sort()).toEqual([...expected].sort());
  });

  it('passes the upload limits, cookie settings, signing key and CDN to the functions that use them', () => {
    expect(environmentFor('CreateUploadLambdaFunction')).toMatchObject({
      SOURCE_BUCKET: 'Ref:SourceBucket',
      UPLOAD_MAX_BYTES: '53687091200',
      UPLOAD_URL_TTL_SECONDS: '900',
      MULTIPART_THRESHOLD_BYTES: '104857600',
      MULTIPART_PART_BYTES: '104857600',
    });
    expect(environmentFor('AuthorizePlaybackLambdaFunction')).toMatchObject({
      CDN_BASE_URL: 'https://${PlaybackDistribution.DomainName}',
      CLOUDFRONT_KEY_PAIR_ID: 'Ref:PlaybackPublicKey',
      SIGNING_KEY_SECRET_ID: 'vodflow/test/cloudfront-signing-key',
      COOKIE_TTL_SECONDS: '300',
      COOKIE_BIND_IP: 'false',
      COOKIE_SECURE: 'true',
      COOKIE_SAME_SITE: 'None',
    });
    expect(environmentFor('UnpublishVideoLambdaFunction')).toMatchObject({
      DISTRIBUTION_ID: 'Ref:PlaybackDistribution',
    });
  });
});

describe('viewer identity', () => {
  const jwtSettings = (params: Record<string, string>) => {
    const { JWT_ISSUER, JWT_AUDIENCE, JWKS_URL, ENTITLEMENTS_CLAIM } = environmentFor(
      'AuthorizePlaybackLambdaFunction',
      params,
    );
    return { JWT_ISSUER, JWT_AUDIENCE, JWKS_URL, ENTITLEMENTS_CLAIM };
  };

  it('without an issuer, creates a Cognito user pool and client and trusts their ID tokens', () => {
    expect(conditionHolds(template, 'CreateUserPool', { parameters: deployParameters() })).toBe(true);
    expect(jwtSettings({})).toEqual({
      JWT_ISSUER: 'https://cognito-idp.us-east-1.amazonaws.com/${ViewerUserPool}',
      JWT_AUDIENCE: 'Ref:ViewerUserPoolClient',
      JWKS_URL: 'https://cognito-idp.us-east-1.amazonaws.com/${ViewerUserPool}/.well-known/jwks.json',
      ENTITLEMENTS_CLAIM: 'cognito:groups',
    });
    expect(resource(template, 'ViewerUserPool')).toMatchObject({
      Condition: 'CreateUserPool',
      DeletionPolicy: 'Retain',
    });
    expect(properties(template, 'ViewerUserPool')).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    });
    expect(resource(template, 'ViewerUserPoolClient')).toMatchObject({ Condition: 'CreateUserPool' });
    expect(properties(template, 'ViewerUserPoolClient')).toMatchObject({ GenerateSecret: false });
  });

  it('with any OIDC issuer, uses it (and its JWKS at the conventional path unless told otherwise)', () => {
    const issuer = { jwtIssuer: 'https://login.example.com', jwtAudience: 'vodflow-player' };
    expect(conditionHolds(template, 'CreateUserPool', { parameters: deployParameters(issuer) })).toBe(false);
    expect(jwtSettings(issuer)).toEqual({
      JWT_ISSUER: 'https://login.example.com',
      JWT_AUDIENCE: 'vodflow-player',
      // Unset: the functions fetch <issuer>/.well-known/jwks.json.
      JWKS_URL: '',
      ENTITLEMENTS_CLAIM: 'entitlements',
    });
    expect(
      jwtSettings({ ...issuer, jwksUrl: 'https://login.example.com/oauth2/v1/keys', entitlementsClaim: 'plans' }),
    ).toMatchObject({ JWKS_URL: 'https://login.example.com/oauth2/v1/keys', ENTITLEMENTS_CLAIM: 'plans' });
  });

  it('refuses an issuer without an audience, and issuers that are not https URLs, before deploying anything', () => {
    expect(failedRules(template, { parameters: deployParameters({ jwtIssuer: 'https://login.example.com' }) })).toEqual(
      [expect.stringContaining('jwtAudience')],
    );
    expect(parameterAccepts(template, 'JwtIssuer', 'http://login.example.com')).toBe(false);
    expect(parameterAccepts(template, 'JwksUrl', 'https://login.example.com/keys')).toBe(true);
  });
});
