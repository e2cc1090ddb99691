import type { Readable } from 'node:stream';
import { s3Errors } from '../s3-errors';
import { escapeXml } from './s3-error-response';

/** 10,000 parts of about 100 bytes each, with room to spare: a larger body is not a CompleteMultipartUpload. */
const MAX_COMPLETE_BODY_BYTES = 4 * 1024 * 1024;
const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

export interface CompletedPart {
  PartNumber: number;
  ETag: string;
}

/** Reads a small XML request body, refusing one that is too large before buffering it all. */
export async function readXmlBody(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const bytes = chunk as Buffer;
    size += bytes.length;
    if (size > MAX_COMPLETE_BODY_BYTES) throw s3Errors.malformedXml('The XML you provided was too large');
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** S3 numbers parts 1-10,000 and lists them ascending, so a valid document has at most 10,000. */
const MAX_PART_NUMBER = 10_000;
/** Longer than any part number, ETag or base64 checksum: a longer text is not one of them. */
const MAX_TEXT_CHARS = 1024;
const PART_FIELDS = new Set([
  'PartNumber',
  'ETag',
  'ChecksumCRC32',
  'ChecksumCRC32C',
  'ChecksumCRC64NVME',
  'ChecksumSHA1',
  'ChecksumSHA256',
]);
const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };
const TAG = /^(\/?)([A-Za-z_][\w.-]*)(\s[^<>]*)?$/;

// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html (MalformedXML)
const malformed = () =>
  s3Errors.malformedXml('The XML you provided was not well-formed or did not validate against our published schema');

/** Whether a code point is a character XML 1.0 allows (https://www.w3.org/TR/xml/#charsets). */
function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

/** Text with its entity and character references resolved; MalformedXML for any reference XML does not define. */
function unescapeXml(text: string): string {
  if (text.includes('<')) throw malformed();
  return text.replace(/&([^;&]{0,10});|&/g, (_, entity: string | undefined) => {
    if (entity === undefined) throw malformed();
    const named = NAMED_ENTITIES[entity];
    if (named !== undefined) return named;
    const code = /^#x[0-9a-fA-F]{1,6}$/.test(entity)
      ? parseInt(entity.slice(2), 16)
      : /^#[0-9]{1,7}$/.test(entity)
        ? Number(entity.slice(1))
        : NaN;
    if (!isXmlChar(code)) throw malformed();
    return String.fromCodePoint(code);
  });
}

function partFrom(fields: Map<string, string>): CompletedPart {
  const number = fields.get('PartNumber');
  const etag = fields.get('ETag');
  if (number === undefined || etag === undefined || !/^\s*\d{1,9}\s*$/.test(number)) throw malformed();
  const partNumber = Number(number);
  if (partNumber < 1 || partNumber > MAX_PART_NUMBER) {
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html (part numbers 1 to 10,000)
    throw s3Errors.invalidArgument('Part number must be an integer between 1 and 10000, inclusive');
  }
  return { PartNumber: partNumber, ETag: etag.trim() };
}

/**
 * The parts of a `<CompleteMultipartUpload>` document, as a browser or the SDK sends it:
 * `<Part><PartNumber>1</PartNumber><ETag>"…"</ETag></Part>…` (schema:
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html). One pass over the text, each
 * character looked at a bounded number of times, so time is linear in the body's size whatever it holds; nesting
 * is fixed (root, Part, field), texts are short, at most 10,000 parts, and no DOCTYPE (no entity expansion).
 * Anything else is MalformedXML. Checksum elements per part are read and ignored.
 */
export function parseCompleteMultipartUpload(xml: string): CompletedPart[] {
  const parts: CompletedPart[] = [];
  /** Open elements: root, then Part, then one field. */
  const open: string[] = [];
  let fields = new Map<string, string>();
  let text = '';
  let rootClosed = false;
  let position = xml.startsWith('\uFEFF') ? 1 : 0;

  while (position < xml.length) {
    const lt = xml.indexOf('<', position);
    const chunk = xml.slice(position, lt === -1 ? xml.length : lt);
    if (open.length === 3) {
      text += chunk;
      if (text.length > MAX_TEXT_CHARS) throw malformed();
    } else if (chunk.trim() !== '') {
      throw malformed();
    }
    if (lt === -1) break;

    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end === -1 || open.length === 3) throw malformed();
      position = end + 3;
      continue;
    }
    if (xml.startsWith('<?', lt)) {
      const end = xml.indexOf('?>', lt + 2);
      if (end === -1 || open.length > 0 || parts.length > 0 || rootClosed) throw malformed();
      position = end + 2;
      continue;
    }
    const gt = xml.indexOf('>', lt + 1);
    if (gt === -1) throw malformed();
    const tag = TAG.exec(xml.slice(lt + 1, gt));
    if (!tag) throw malformed(); // also <!DOCTYPE …> and <![CDATA[…]]>
    const [, slash, name = ''] = tag;
    const attributes = tag[3] ?? '';
    position = gt + 1;

    if (slash === '/') {
      if (attributes.trim() !== '' || open.pop() !== name) throw malformed();
      if (open.length === 2) {
        if (fields.has(name)) throw malformed();
        fields.set(name, name === 'PartNumber' ? text : unescapeXml(text));
        text = '';
      } else if (open.length === 1) {
        parts.push(partFrom(fields));
        fields = new Map();
      } else {
        rootClosed = true;
      }
      continue;
    }

    const selfClosing = attributes.trimEnd().endsWith('/');
    const expected =
      open.length === 0
        ? name === 'CompleteMultipartUpload' && !rootClosed
        : open.length === 1
          ? name === 'Part'
          : open.length === 2
            ? PART_FIELDS.has(name)
            : false;
    if (!expected || selfClosing || (open.length > 0 && attributes.trim() !== '')) throw malformed();
    if (name === 'Part' && parts.length >= MAX_PART_NUMBER) throw malformed();
    open.push(name);
  }
  if (!rootClosed || open.length > 0 || parts.length === 0) throw malformed();
  return parts;
}

export function completeMultipartUploadResult(output: Record<string, unknown>): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUploadResult xmlns="${S3_NAMESPACE}">` +
    field('Location', output.Location) +
    field('Bucket', output.Bucket) +
    field('Key', output.Key) +
    field('ETag', output.ETag) +
    '</CompleteMultipartUploadResult>'
  );
}

export function initiateMultipartUploadResult(output: Record<string, unknown>): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<InitiateMultipartUploadResult xmlns="${S3_NAMESPACE}">` +
    field('Bucket', output.Bucket) +
    field('Key', output.Key) +
    field('UploadId', output.UploadId) +
    '</InitiateMultipartUploadResult>'
  );
}

function field(name: string, value: unknown): string {
  return typeof value === 'string' ? `<${name}>${escapeXml(value)}</${name}>` : '';
}
