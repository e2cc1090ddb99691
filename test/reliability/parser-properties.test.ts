import fc from 'fast-check';
import { InvalidEvent } from '../../functions/commons/errors';
import { ASSET_STATUSES } from '../../functions/commons/http/catalogue-asset';
import { parseUploadRequest, VIDEO_TYPES, type UploadPolicy } from '../../functions/create-upload/upload-request';
import { decodeCursor, encodeCursor } from '../../functions/list-videos/catalogue-cursor';
import { parseListQuery } from '../../functions/list-videos/list-query';
import { parseDeadLetter } from '../../functions/redrive/dead-letter';
import { isExecutionArn } from '../../functions/redrive/execution-arn';
import { parseObjectCreated } from '../../functions/start-publish/parse-object-created';
import { readJobStateChange } from '../../functions/transcode-callback/job-state-event';
import { SourceRejected } from '../../local/services/media-package-vod/inspect-source-mp4';
import { MAX_SMIL_BYTES, parseSmilManifest } from '../../local/services/media-package-vod/smil-manifest';
import { countOperations } from '../support/operation-count';

/**
 * Property-based tests (fast-check) of the parsers that read outside input and are not fuzzed elsewhere (the edge,
 * S3 XML and cookie parsers have their own): dead letters, S3 and MediaConvert events, MediaPackage SMIL manifests,
 * the upload request, the list query and its cursor. For any input, a parser answers or refuses with its own named
 * error, nothing else escapes; and its work grows linearly (operations counted on 16 times larger input) or is
 * bounded by a size limit checked first.
 */
const RUNS = 1000;
const SIZE_FACTOR = 16;
/** Linear: 16 times the input costs at most 16 times the operations, with room for a constant overhead. */
const LINEAR_RATIO = SIZE_FACTOR * 1.25;

/** Whatever JSON can carry, nested, with the field names the parsers look for mixed in. */
const anyJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(
        fc.string(),
        fc.constantFrom(
          'detail',
          'detail-type',
          'source',
          'bucket',
          'object',
          'key',
          'size',
          'etag',
          'status',
          'jobId',
        ),
      ),
      tie('value'),
      { maxKeys: 5 },
    ),
  ),
})).value;

const EXECUTION_ARN = fc
  .tuple(
    fc.constantFrom('aws', 'aws-cn', 'aws-us-gov'),
    fc.constantFrom('us-east-1', 'eu-west-3'),
    fc.stringMatching(/^\d{12}$/),
    fc.stringMatching(/^[A-Za-z0-9_-]{1,80}$/),
    fc.stringMatching(/^[A-Za-z0-9_-]{1,80}$/),
  )
  .map(([partition, region, account, machine, name]) =>
    ['arn', partition, 'states', region, account, 'execution', machine, name].join(':'),
  );

function onlyRefusesWith<T>(errorClass: new (...args: never[]) => Error, parse: () => T): T | undefined {
  try {
    return parse();
  } catch (error) {
    expect(error).toBeInstanceOf(errorClass);
    return undefined;
  }
}

describe('dead-letter messages (functions/redrive/dead-letter.ts)', () => {
  it('never throws on any body, and accepts only execution ARNs', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          anyJson.map((value) => JSON.stringify(value)),
        ),
        (body) => {
          const parsed = parseDeadLetter(body);
          if (parsed.ok) expect(isExecutionArn(parsed.deadLetter.executionArn)).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('reads back every letter SendToDeadLetterQueue writes, and ignores fields it does not keep', () => {
    fc.assert(
      fc.property(
        EXECUTION_ARN,
        fc.string(),
        fc.nat(),
        fc.dictionary(
          fc.string().filter((name) => name !== 'publishId'),
          anyJson,
        ),
        (executionArn, assetId, redriveCount, extra) => {
          const body = JSON.stringify({ ...extra, executionArn, assetId, redriveCount, failedState: 'Transcode' });
          expect(parseDeadLetter(body)).toEqual({
            ok: true,
            deadLetter: { executionArn, assetId, publishId: undefined, failedState: 'Transcode', redriveCount },
          });
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('S3 Object Created events (functions/start-publish/parse-object-created.ts)', () => {
  const objectCreated = (key: string, object: Record<string, unknown> = {}) => ({
    source: 'aws.s3',
    'detail-type': 'Object Created',
    detail: { bucket: { name: 'vodflow-source' }, object: { key, size: 1, etag: '"e"', ...object } },
  });

  it('refuses any other input with InvalidEvent only', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyJson,
          anyJson.map((detail) => ({ 'detail-type': 'Object Created', detail })),
        ),
        (event) => {
          onlyRefusesWith(InvalidEvent, () => parseObjectCreated(event));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('decodes any key S3 form-encodes back to the key itself', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1 }), (key) => {
        const encoded = encodeURIComponent(key).replace(/%20/g, '+');
        const parsed = parseObjectCreated(objectCreated(encoded));
        expect(parsed.kind === 'source' ? parsed.source.key : parsed.key).toBe(key);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses a malformed escape in the key with InvalidEvent', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('%', '%E0%A4%A', '%zz', '%C0'), (prefix, bad) => {
        expect(() => parseObjectCreated(objectCreated(`${encodeURIComponent(prefix)}${bad}`))).toThrow(InvalidEvent);
      }),
      { numRuns: 200 },
    );
  });

  it('does work independent of what else the event carries (operations counted)', () => {
    const withExtra = (n: number) => ({
      ...objectCreated('a.mp4'),
      resources: Array.from({ length: n }, (_, i) => `arn:aws:s3:::b${String(i)}`),
      extra: Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${String(i)}`, i])),
    });
    const small = countOperations(withExtra(500), parseObjectCreated);
    const large = countOperations(withExtra(500 * SIZE_FACTOR), parseObjectCreated);
    expect(large / small).toBeLessThanOrEqual(LINEAR_RATIO);
  });
});

describe('MediaConvert job state events (functions/transcode-callback/job-state-event.ts)', () => {
  it('refuses any other input with InvalidEvent only, and passes a job event through', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyJson,
          anyJson.map((detail) => ({ source: 'aws.mediaconvert', detail })),
          fc
            .record({ status: fc.string(), jobId: fc.string() })
            .map((detail) => ({ source: 'aws.mediaconvert', detail })),
        ),
        (event) => {
          const detail = onlyRefusesWith(InvalidEvent, () => readJobStateChange(event));
          if (detail) expect(typeof detail.jobId).toBe('string');
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('does work independent of the job outputs it carries (operations counted)', () => {
    const event = (n: number) => ({
      source: 'aws.mediaconvert',
      detail: {
        status: 'COMPLETE',
        jobId: '1700000000000-abcdef',
        outputGroupDetails: [
          { outputDetails: Array.from({ length: n }, () => ({ outputFilePaths: ['s3://m/a.mp4'] })) },
        ],
      },
    });
    const small = countOperations(event(500), readJobStateChange);
    const large = countOperations(event(500 * SIZE_FACTOR), readJobStateChange);
    expect(large / small).toBeLessThanOrEqual(LINEAR_RATIO);
  });
});

describe('MediaPackage VOD .smil manifests (local/services/media-package-vod/smil-manifest.ts)', () => {
  const reference = fc.oneof(
    fc.stringMatching(/^[A-Za-z0-9_.-]{1,20}\.mp4$/),
    fc.constantFrom('../x.mp4', '../../../etc/passwd', '/abs.mp4', 'http://e/x.mp4', 's3://b/x.mp4', ''),
    fc.string(),
  );
  const xmlText = (value: string) =>
    value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const smil = fc
    .array(fc.record({ src: reference, audio: fc.constantFrom('', 'true', 'false,true', 'yes') }), { maxLength: 6 })
    .map(
      (videos) =>
        `<smil><body><switch>${videos
          .map((v) => `<video src="${xmlText(v.src)}"${v.audio ? ` includeAudio="${v.audio}"` : ''}/>`)
          .join('')}</switch></body></smil>`,
    );

  it('refuses any text with SourceRejected only; what it accepts stays inside the bucket', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), smil), (text) => {
        const manifest = onlyRefusesWith(SourceRejected, () => parseSmilManifest('assets/p1/index.smil', text));
        for (const video of manifest?.videos ?? []) {
          expect(video.key.startsWith('../') || video.key === '..' || video.key.startsWith('/')).toBe(false);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('bounds its work: a manifest over the size limit is refused before it is parsed', () => {
    const adversarial = [
      `<smil>${'<video '.repeat(MAX_SMIL_BYTES / 7 + 1)}`,
      '<a>'.repeat(MAX_SMIL_BYTES / 3 + 1),
      `<smil><body><switch>${'<video src="a.mp4"/>'.repeat(MAX_SMIL_BYTES / 20 + 1)}</switch></body></smil>`,
    ];
    for (const text of adversarial) {
      expect(() => parseSmilManifest('a/index.smil', text)).toThrow(/larger than/);
    }
  });
});

describe('the upload request (functions/create-upload/upload-request.ts)', () => {
  const policy: UploadPolicy = { maxBytes: 5 * 1024 ** 3, contentTypes: Object.keys(VIDEO_TYPES) };
  const requestLike = fc.record(
    {
      fileName: fc.oneof(fc.string(), fc.stringMatching(/^[A-Za-z0-9 _-]{1,30}\.(mp4|mov|mkv)$/), anyJson),
      contentType: fc.oneof(fc.constantFrom(...Object.keys(VIDEO_TYPES), ' VIDEO/MP4 '), fc.string(), anyJson),
      size: fc.oneof(fc.integer(), fc.double(), fc.string(), anyJson),
      title: fc.oneof(fc.string(), anyJson),
      accessLevel: fc.oneof(fc.constantFrom('public', 'subscriber'), fc.string(), anyJson),
    },
    { requiredKeys: [] },
  );

  it('never throws; what it accepts is a base name with a matching video extension and an allowed size', () => {
    fc.assert(
      fc.property(fc.oneof(anyJson, requestLike), (body) => {
        const parsed = parseUploadRequest(body, policy);
        if (!parsed.ok) {
          expect(parsed.problems.length).toBeGreaterThan(0);
          return;
        }
        const { fileName, contentType, size } = parsed.request;
        expect(fileName).not.toMatch(/[/\\]|\.\./);
        expect(VIDEO_TYPES[contentType]).toContain(fileName.split('.').pop()?.toLowerCase());
        expect(size).toBeGreaterThanOrEqual(1);
        expect(size).toBeLessThanOrEqual(policy.maxBytes);
      }),
      { numRuns: RUNS },
    );
  });

  it('does linear work on a body of many unknown fields (operations counted)', () => {
    const body = (n: number) => ({
      fileName: 'a.mp4',
      contentType: 'video/mp4',
      size: 1,
      ...Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${String(i)}`, i])),
    });
    const small = countOperations(body(500), (input) => parseUploadRequest(input, policy));
    const large = countOperations(body(500 * SIZE_FACTOR), (input) => parseUploadRequest(input, policy));
    expect(large / small).toBeLessThanOrEqual(LINEAR_RATIO);
  });
});

describe('the list query and its cursor (functions/list-videos/)', () => {
  const status = fc.constantFrom(...ASSET_STATUSES);
  const pageKey = fc.record({
    assetId: fc.stringMatching(/^[A-Za-z0-9_-]{8,40}$/),
    status,
    updatedAt: fc
      .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true })
      .map((date) => date.toISOString()),
  });

  it('reads back every cursor it wrote, for its own listing only', () => {
    fc.assert(
      fc.property(pageKey, status, (key, asked) => {
        expect(decodeCursor(encodeCursor(key), asked)).toEqual(asked === key.status ? key : undefined);
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on any query, and refuses any cursor it did not write', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.oneof(fc.constantFrom('status', 'limit', 'next'), fc.string()),
          fc.oneof(
            fc.string(),
            fc.string().map((s) => Buffer.from(s).toString('base64url')),
            fc.constant(undefined),
          ),
        ),
        (parameters) => {
          const parsed = parseListQuery(parameters);
          if (parsed.ok) {
            expect(parsed.query.limit).toBeGreaterThanOrEqual(1);
            expect(parsed.query.limit).toBeLessThanOrEqual(100);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('bounds a cursor’s work by its length, and does linear work on many parameters (operations counted)', () => {
    const valid = encodeCursor({ assetId: 'abcdefgh', status: 'READY', updatedAt: '2026-01-01T00:00:00.000Z' });
    expect(decodeCursor(`${valid}${'A'.repeat(513)}`, 'READY')).toBeUndefined();
    const query = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${String(i)}`, 'x']));
    const small = countOperations(query(500), (input) => parseListQuery(input as Record<string, string>));
    const large = countOperations(query(500 * SIZE_FACTOR), (input) => parseListQuery(input as Record<string, string>));
    expect(large / small).toBeLessThanOrEqual(LINEAR_RATIO);
  });
});
