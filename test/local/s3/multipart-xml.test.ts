import fc from 'fast-check';
import { LocalServiceError } from '../../../local/seam/local-service';
import { parseCompleteMultipartUpload } from '../../../local/services/s3/http/multipart-xml';

const part = (n: number, etag = `"${'a'.repeat(32)}"`) =>
  `<Part><PartNumber>${String(n)}</PartNumber><ETag>${etag}</ETag></Part>`;
const document = (inner: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</CompleteMultipartUpload>`;

function errorNameOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof LocalServiceError ? error.name : `escaped ${String(error)}`;
  }
}

describe('CompleteMultipartUpload XML', () => {
  it('reads parts in order, with entities and checksum elements', () => {
    const xml = document(
      `${part(1, '&quot;abc&quot;')}\n  <Part><ETag>"d&#101;f"</ETag><ChecksumCRC32>AAAAAA==</ChecksumCRC32><PartNumber>2</PartNumber></Part><!-- done -->`,
    );

    expect(parseCompleteMultipartUpload(xml)).toEqual([
      { PartNumber: 1, ETag: '"abc"' },
      { PartNumber: 2, ETag: '"def"' },
    ]);
  });

  it.each([
    ['no root', '<Part/>'],
    ['no parts', document('')],
    ['an unclosed part', document('<Part><PartNumber>1</PartNumber>')],
    ['a part without an ETag', document('<Part><PartNumber>1</PartNumber></Part>')],
    ['a part number that is not a number', document(part(1).replace('>1<', '>one<'))],
    ['mismatched tags', document('<Part><PartNumber>1</ETag></Part>')],
    ['an unknown element', document(`${part(1)}<Evil>1</Evil>`)],
    ['a DOCTYPE (entity expansion)', `<!DOCTYPE x [<!ENTITY a "b">]>${document(part(1))}`],
    ['an unknown entity', document(part(1, '&nbsp;'))],
    ['a character reference outside Unicode', document(part(1, '&#x110000;'))],
    ['a character reference to a surrogate', document(part(1, '&#xD800;'))],
    ['a character reference to NUL', document(part(1, '&#0;'))],
    ['a huge decimal character reference', document(part(1, `&#${'9'.repeat(400)};`))],
    ['text after the root', `${document(part(1))}junk`],
    ['two roots', `${document(part(1))}${document(part(2))}`],
  ])('refuses %s with MalformedXML', (_case, xml) => {
    expect(errorNameOf(() => parseCompleteMultipartUpload(xml))).toBe('MalformedXML');
  });

  it('refuses a part number outside 1-10000 with InvalidArgument', () => {
    expect(errorNameOf(() => parseCompleteMultipartUpload(document(part(10001))))).toBe('InvalidArgument');
    expect(errorNameOf(() => parseCompleteMultipartUpload(document(part(0))))).toBe('InvalidArgument');
  });

  it('refuses more than 10,000 parts with MalformedXML before reading them all', () => {
    const xml = document(Array.from({ length: 10_001 }, (_, i) => part((i % 10_000) + 1)).join(''));

    expect(errorNameOf(() => parseCompleteMultipartUpload(xml))).toBe('MalformedXML');
  });

  it('refuses 200,000 unclosed <Part> elements quickly (it took 37 s, quadratic)', () => {
    const xml = document('<Part>'.repeat(200_000));
    const started = process.hrtime.bigint();

    expect(errorNameOf(() => parseCompleteMultipartUpload(xml))).toBe('MalformedXML');
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1000);
  });

  it('stays linear on long runs of tag openers, text and unterminated comments', () => {
    for (const inner of [
      '<'.repeat(2_000_000),
      `<Part><ETag>${'&'.repeat(2_000_000)}`,
      `<!--${'-'.repeat(2_000_000)}`,
    ]) {
      const started = process.hrtime.bigint();
      expect(errorNameOf(() => parseCompleteMultipartUpload(document(inner)))).toBe('MalformedXML');
      expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1000);
    }
  });

  it('never lets anything but an S3 error escape, on any input (fast-check)', () => {
    const fragments = fc.constantFrom(
      '<Part>',
      '</Part>',
      '<PartNumber>',
      '</PartNumber>',
      '<ETag>',
      '</ETag>',
      '<CompleteMultipartUpload>',
      '</CompleteMultipartUpload>',
      '&#x110000;',
      '&#65;',
      '&amp;',
      '&',
      '<',
      '>',
      '<!--',
      '-->',
      '<?xml?>',
      '1',
      '"etag"',
      ' ',
    );
    const xmlLike = fc
      .array(fc.oneof(fragments, fc.string({ maxLength: 8 })), { maxLength: 60 })
      .map((p) => p.join(''));
    fc.assert(
      fc.property(fc.oneof(xmlLike, fc.string()), (xml) => {
        const outcome = errorNameOf(() => parseCompleteMultipartUpload(xml));
        return outcome === undefined || ['MalformedXML', 'InvalidArgument'].includes(outcome);
      }),
      { numRuns: 3000, seed: 12 },
    );
  });

  it('reads back every well-formed document it is given (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 10_000 }), { minLength: 1, maxLength: 50 }),
        fc.array(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'.split('')), minLength: 1, maxLength: 32 }), {
          minLength: 50,
          maxLength: 50,
        }),
        (numbers, etags) => {
          const parts = numbers.map((n, i) => ({ PartNumber: n, ETag: `"${etags[i] ?? ''}"` }));
          const xml = document(parts.map((p) => part(p.PartNumber, p.ETag.replace(/"/g, '&quot;'))).join('\n'));
          expect(parseCompleteMultipartUpload(xml)).toEqual(parts);
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });
});
