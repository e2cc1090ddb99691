import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeyObject, sign } from 'node:crypto';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWTPayload, type CryptoKey } from 'jose';

/**
 * A real OIDC-style issuer for tests: an RSA key pair whose public half is served as a JWKS on an ephemeral local
 * port, so the API verifies tokens exactly as it does against Cognito or any other issuer (fetch, kid, RS256).
 */
export interface TestJwtIssuer {
  issuer: string;
  audience: string;
  jwksUrl: string;
  /** A valid RS256 token for `sub`, with these claims over the defaults; `options` bends the standard claims. */
  token(sub: string, claims?: JWTPayload, options?: TokenOptions): Promise<string>;
  /** An unsigned token (`alg: none`) with valid claims. */
  unsignedToken(sub: string, claims?: JWTPayload): string;
  /** HS256 with the issuer's public key (PEM) as the HMAC secret: the classic algorithm-confusion attack. */
  publicKeyHmacToken(sub: string, claims?: JWTPayload): Promise<string>;
  /** A correctly signed RS256 token whose header marks an extension as critical (`crit`, RFC 7515 4.1.11). */
  criticalHeaderToken(sub: string, claims?: JWTPayload): string;
  /** A well-formed RS256 token signed by another key that claims this issuer's kid. */
  foreignKeyToken(sub: string, claims?: JWTPayload): Promise<string>;
  close(): Promise<void>;
}

export interface TokenOptions {
  issuer?: string;
  audience?: string | string[];
  /** Seconds from now. */
  expiresIn?: number;
  notBefore?: number;
}

const KID = 'test-key-1';

export async function startJwtIssuer(audience = 'vodflow-test-api'): Promise<TestJwtIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const other = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
  const publicPem = await exportSPKI(publicKey);

  const server: Server = createServer((request, response) => {
    if (request.url === '/.well-known/jwks.json') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: [jwk] }));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  const claimsFor = (sub: string, claims: JWTPayload) => ({ ...claims, sub });
  const signed = (key: CryptoKey | Uint8Array, alg: string, sub: string, claims: JWTPayload, options: TokenOptions) => {
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT(claimsFor(sub, claims))
      .setProtectedHeader({ alg, kid: KID, typ: 'JWT' })
      .setIssuer(options.issuer ?? issuer)
      .setAudience(options.audience ?? audience)
      .setIssuedAt(now)
      .setExpirationTime(now + (options.expiresIn ?? 300));
    if (options.notBefore !== undefined) jwt.setNotBefore(now + options.notBefore);
    return jwt.sign(key);
  };
  const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  return {
    issuer,
    audience,
    jwksUrl: `${issuer}/.well-known/jwks.json`,
    token: (sub, claims = {}, options = {}) => signed(privateKey, 'RS256', sub, claims, options),
    unsignedToken: (sub, claims = {}) => {
      const now = Math.floor(Date.now() / 1000);
      const payload = { ...claimsFor(sub, claims), iss: issuer, aud: audience, iat: now, exp: now + 300 };
      return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload)}.`;
    },
    publicKeyHmacToken: (sub, claims = {}) => signed(new TextEncoder().encode(publicPem), 'HS256', sub, claims, {}),
    foreignKeyToken: (sub, claims = {}) => signed(other.privateKey, 'RS256', sub, claims, {}),
    criticalHeaderToken: (sub, claims = {}) => {
      // jose refuses to sign an unknown critical extension, so this one is assembled and signed by hand.
      const now = Math.floor(Date.now() / 1000);
      const header = { alg: 'RS256', kid: KID, typ: 'JWT', crit: ['urn:example:bound'], 'urn:example:bound': true };
      const payload = { ...claimsFor(sub, claims), iss: issuer, aud: audience, iat: now, exp: now + 300 };
      const input = `${base64url(header)}.${base64url(payload)}`;
      const signature = sign('sha256', Buffer.from(input), KeyObject.from(privateKey));
      return `${input}.${signature.toString('base64url')}`;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
      }),
  };
}
