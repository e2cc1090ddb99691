import { MissingConfiguration } from '../../../functions/commons/errors';

/** Each handler reads its configuration at load: a bad deploy fails the cold start, not a viewer's request. */
const BASE = {
  AWS_REGION: 'us-east-1',
  CATALOGUE_TABLE: 'vodflow-test-catalogue',
  SOURCE_BUCKET: 'vodflow-test-source',
  JWT_ISSUER: 'https://issuer.example.com',
  JWT_AUDIENCE: 'vodflow',
  CDN_BASE_URL: 'https://d111111abcdef8.cloudfront.net',
  CLOUDFRONT_KEY_PAIR_ID: 'K2JCJMDEHXQW5F',
  SIGNING_KEY_SECRET_ID: 'vodflow/key',
  DISTRIBUTION_ID: 'E2QWRUHAPOMQZL',
};
const saved = { ...process.env };

function loadWith(modulePath: string, env: Record<string, string | undefined>): void {
  const merged: Record<string, string | undefined> = { ...saved, ...BASE, ...env };
  process.env = Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
  jest.isolateModules(() => {
    jest.requireActual(modulePath);
  });
}

afterAll(() => {
  process.env = saved;
});

const CREATE = '../../../functions/create-upload/handler';
const PLAY = '../../../functions/authorize-playback/handler';

describe('API configuration', () => {
  it('loads with the documented variables and defaults', () => {
    expect(() => {
      loadWith(CREATE, {});
    }).not.toThrow();
    expect(() => {
      loadWith(PLAY, {});
    }).not.toThrow();
  });

  it.each([
    [CREATE, { CATALOGUE_TABLE: undefined }, 'CATALOGUE_TABLE'],
    [CREATE, { SOURCE_BUCKET: undefined }, 'SOURCE_BUCKET'],
    [CREATE, { JWT_AUDIENCE: undefined }, 'JWT_AUDIENCE'],
    [CREATE, { UPLOAD_CONTENT_TYPES: 'video/mp4,application/pdf' }, 'UPLOAD_CONTENT_TYPES'],
    [CREATE, { MULTIPART_PART_BYTES: '1048576' }, 'MULTIPART_PART_BYTES'],
    [CREATE, { MULTIPART_THRESHOLD_BYTES: String(6 * 1024 ** 3) }, 'MULTIPART_THRESHOLD_BYTES'],
    [CREATE, { CORS_ALLOWED_ORIGINS: '*' }, 'CORS_ALLOWED_ORIGINS'],
    [PLAY, { SIGNING_KEY_SECRET_ID: undefined }, 'SIGNING_KEY_SECRET_ID'],
    [PLAY, { CLOUDFRONT_KEY_PAIR_ID: undefined }, 'CLOUDFRONT_KEY_PAIR_ID'],
    [PLAY, { COOKIE_SECURE: 'false' }, 'COOKIE_SAME_SITE=None needs COOKIE_SECURE=true'],
    [PLAY, { COOKIE_SAME_SITE: 'sometimes' }, 'COOKIE_SAME_SITE'],
    [PLAY, { COOKIE_BIND_IP: 'yes' }, 'COOKIE_BIND_IP'],
  ])('%s fails at load for %j', (modulePath, env, mention) => {
    let failure: unknown;
    try {
      loadWith(modulePath, env);
    } catch (error) {
      failure = error;
    }

    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).name).toBe(MissingConfiguration.name);
    expect((failure as Error).message).toContain(mention);
  });
});
