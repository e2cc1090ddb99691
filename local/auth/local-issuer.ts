import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, exportPKCS8, generateKeyPair, importPKCS8, SignJWT, type JWK, type CryptoKey } from 'jose';

export interface TokenRequest {
  user: string;
  entitlements: string[];
  ttlSeconds?: number;
}

/** A token request the issuer refuses: the message says what to change. */
export class InvalidTokenRequest extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTokenRequest';
  }
}

const USER = /^[A-Za-z0-9._@-]{1,64}$/;
const ENTITLEMENT = /^[a-z0-9-]{1,32}$/;

/**
 * The local OpenID-style issuer: an RS256 key kept in the data folder, its JWKS, and tokens for dev users. The API
 * functions verify these exactly as they verify Cognito's or any OIDC issuer's tokens in the cloud.
 */
export class LocalIssuer {
  private constructor(
    readonly issuer: string,
    readonly audience: string,
    private readonly privateKey: CryptoKey,
    private readonly jwk: JWK,
  ) {}

  static async open(options: { dataDir: string; issuer: string; audience: string }): Promise<LocalIssuer> {
    const file = join(options.dataDir, 'auth', 'issuer-private-key.pem');
    if (!existsSync(file)) {
      const { privateKey } = await generateKeyPair('RS256', { extractable: true });
      await mkdir(join(options.dataDir, 'auth'), { recursive: true });
      await writeFile(file, await exportPKCS8(privateKey), { mode: 0o600 });
    }
    const privateKey = await importPKCS8(await readFile(file, 'utf8'), 'RS256', { extractable: true });
    const privateJwk = await exportJWK(privateKey);
    const publicJwk: JWK = { kty: privateJwk.kty, n: privateJwk.n, e: privateJwk.e };
    const kid = `local-${String(publicJwk.n).slice(0, 16)}`;
    return new LocalIssuer(options.issuer, options.audience, privateKey, {
      ...publicJwk,
      kid,
      alg: 'RS256',
      use: 'sig',
    });
  }

  jwks(): { keys: JWK[] } {
    return { keys: [this.jwk] };
  }

  async token(request: TokenRequest): Promise<{ access_token: string; token_type: 'Bearer'; expires_in: number }> {
    if (!USER.test(request.user))
      throw new InvalidTokenRequest('user must be 1-64 characters of letters, digits, . _ @ -');
    const bad = request.entitlements.filter((entitlement) => !ENTITLEMENT.test(entitlement));
    if (bad.length > 0) throw new InvalidTokenRequest(`invalid entitlements: ${bad.join(', ')}`);
    const ttl = request.ttlSeconds ?? 3600;
    const accessToken = await new SignJWT({ entitlements: request.entitlements })
      .setProtectedHeader({ alg: 'RS256', kid: String(this.jwk.kid), typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setSubject(request.user)
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime(`${String(ttl)}s`)
      .sign(this.privateKey);
    return { access_token: accessToken, token_type: 'Bearer', expires_in: ttl };
  }
}
