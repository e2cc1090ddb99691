import fc from 'fast-check';
import { generateKeyPairSync } from 'node:crypto';
import { parseRange } from '../../local/edge/byte-range';
import {
  parseCookieHeader,
  resourceMatches,
  trustedKeyMap,
  verifySignedCookies,
} from '../../local/edge/verify-signed-cookies';
import { LocalServiceError } from '../../local/seam/local-service';
import { eventQuery } from '../../local/server/http-api-adapter';
import { splitTarget } from '../../local/services/s3/http/verify-presigned-request';

/**
 * Parsers that read what a client sends (URLs, query strings, cookies, policies, ranges): on any input they answer
 * or refuse with their own error, never throw anything else, and stay fast on inputs built to make them slow.
 * Seeds are fixed, so a failure replays.
 */
const RUNS = 2000;
const keys = trustedKeyMap([
  {
    keyPairId: 'KLOCAL',
    publicKeyPem: generateKeyPairSync('rsa', { modulusLength: 2048 })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString(),
  },
]);

function elapsedMs(run: () => unknown): number {
  const started = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** The obvious definition, on small inputs only: a regular expression from the wildcards. */
function referenceMatch(pattern: string, url: string): boolean {
  const source = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's').test(url);
}

describe('parsers of client input (property-based, fast-check)', () => {
  it('matches CloudFront Resource wildcards exactly as their definition does', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '/', '.', '*', '?'), maxLength: 12 });
    fc.assert(
      fc.property(text, fc.string({ unit: fc.constantFrom('a', 'b', '/', '.', '?'), maxLength: 16 }), (p, url) => {
        expect(resourceMatches(p, url)).toBe(referenceMatch(p, url));
      }),
      { numRuns: RUNS, seed: 1 },
    );
  });

  it('matches a many-wildcard policy against a long URL without backtracking blow-up', () => {
    const pattern = `http://h/${'*a'.repeat(40)}*b`;
    const url = `http://h/${'a'.repeat(16_000)}`;

    let matched = true;
    expect(elapsedMs(() => (matched = resourceMatches(pattern, url)))).toBeLessThan(2000);
    expect(matched).toBe(false);
  });

  it('reads any Cookie header and denies any unsigned cookie set, never throwing', () => {
    const cookieText = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc
        .array(
          fc.tuple(
            fc.constantFrom(
              'CloudFront-Policy',
              'CloudFront-Signature',
              'CloudFront-Key-Pair-Id',
              'CloudFront-Expires',
            ),
            fc.oneof(fc.string({ maxLength: 40 }), fc.constant('KLOCAL'), fc.base64String({ maxLength: 60 })),
          ),
          { maxLength: 6 },
        )
        .map((pairs) => pairs.map(([name, value]) => `${name}=${value}`).join('; ')),
    );
    fc.assert(
      fc.property(cookieText, fc.string({ maxLength: 100 }), (header, path) => {
        const verdict = verifySignedCookies(
          {
            url: `http://127.0.0.1:1/${path}`,
            query: '',
            cookies: parseCookieHeader(header),
            sourceIp: '127.0.0.1',
            nowEpochSeconds: 1_800_000_000,
          },
          keys,
        );
        expect(verdict.allowed).toBe(false);
      }),
      { numRuns: RUNS, seed: 2 },
    );
  });

  it('reads any Range header as whole, one satisfiable range inside the object, or unsatisfiable', () => {
    const header = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => `bytes=${String(a)}-${String(b)}`),
      fc.nat().map((n) => `bytes=-${String(n)}`),
      fc.nat().map((n) => `bytes=${String(n)}-`),
    );
    fc.assert(
      fc.property(header, fc.nat({ max: 1_000_000 }), (value, size) => {
        const range = parseRange(value, size);
        if (range.kind === 'partial') {
          expect(range.start).toBeGreaterThanOrEqual(0);
          expect(range.end).toBeLessThan(size);
          expect(range.start).toBeLessThanOrEqual(range.end);
        }
      }),
      { numRuns: RUNS, seed: 3 },
    );
  });

  it('builds the payload 2.0 query of any query string, joining repeated names with commas', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'limit'), fc.string({ maxLength: 8 })), { maxLength: 8 }),
        (pairs) => {
          const search = new URLSearchParams(pairs);
          const query = eventQuery(search);
          for (const name of new Set(pairs.map(([n]) => n))) {
            expect(query[name]).toBe(search.getAll(name).join(','));
          }
        },
      ),
      { numRuns: RUNS, seed: 4 },
    );
  });

  it('splits any pre-signed request target, refusing a bad escape with S3 InvalidURI only', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 80 }),
          fc.webUrl().map((url) => new URL(url).pathname + new URL(url).search),
        ),
        (target) => {
          try {
            splitTarget(target);
          } catch (error) {
            expect(error).toBeInstanceOf(LocalServiceError);
            expect((error as LocalServiceError).name).toBe('InvalidURI');
          }
        },
      ),
      { numRuns: RUNS, seed: 5 },
    );
  });

  it('splits a query string of 100,000 parameters in linear time', () => {
    const target = `/s3/b/k?${'a=1&'.repeat(100_000)}`;

    expect(elapsedMs(() => splitTarget(target))).toBeLessThan(2000);
  });
});
