import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { posix } from 'node:path';
import { SourceRejected } from './inspect-source-mp4';

/**
 * A `.smil` manifest as MediaPackage VOD reads it (mediapackage/latest/ug/supported-inputs-vod-smil.html):
 * `<smil><body><switch>` holding `<video>` and `<textstream>` elements; `src` or `name` relative to the manifest;
 * `includeAudio`, `systemLanguage` or `language`, `audioName`, `subtitleName`, comma-separated, one value per
 * audio track of the file.
 */
export interface SmilVideo {
  /** Object key, resolved against the manifest's folder. */
  key: string;
  /** As written in the manifest. */
  reference: string;
  /** Per audio track; undefined means every audio track is included (the documented default `true`). */
  includeAudio: boolean[] | undefined;
  languages: string[];
  audioNames: string[];
}

export interface SmilTextStream {
  key: string;
  reference: string;
  language: string | undefined;
  subtitleName: string | undefined;
}

export interface SmilManifest {
  videos: SmilVideo[];
  textStreams: SmilTextStream[];
}

/** Larger than any real ladder's manifest; bounds the parse (a local limit, not one AWS documents). */
export const MAX_SMIL_BYTES = 256 * 1024;

type Attributes = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // No entity expansion at all: a manifest has no use for it, and it is how XML bombs grow.
  processEntities: false,
  parseAttributeValue: false,
  isArray: (name) => ['switch', 'video', 'textstream'].includes(name),
});

function isRecord(value: unknown): value is Attributes {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function attribute(element: Attributes, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = element[name];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return undefined;
}

function list(value: string | undefined): string[] {
  return value === undefined ? [] : value.split(',').map((item) => item.trim());
}

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** A `src`/`name` is relative to the manifest's location and stays in its bucket. */
function resolveMediaKey(manifestKey: string, reference: string): string {
  if (SCHEME.test(reference) || reference.startsWith('/')) {
    throw new SourceRejected(`SMIL names "${reference}", which is not relative to the manifest`);
  }
  const key = posix.normalize(posix.join(posix.dirname(manifestKey), reference));
  if (key === '..' || key.startsWith('../')) throw new SourceRejected(`SMIL names "${reference}", outside the bucket`);
  return key;
}

function booleans(value: string | undefined, reference: string): boolean[] | undefined {
  if (value === undefined) return undefined;
  return list(value).map((item) => {
    const lower = item.toLowerCase();
    if (lower !== 'true' && lower !== 'false') {
      throw new SourceRejected(`SMIL includeAudio="${value}" of ${reference} is not a list of true/false`);
    }
    return lower === 'true';
  });
}

/** Parses and checks a `.smil` manifest; throws SourceRejected with the reason ingest fails. */
export function parseSmilManifest(manifestKey: string, text: string): SmilManifest {
  if (Buffer.byteLength(text, 'utf8') > MAX_SMIL_BYTES) {
    throw new SourceRejected(`SMIL manifest is larger than ${String(MAX_SMIL_BYTES)} bytes`);
  }
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new SourceRejected('SMIL manifest declares a DOCTYPE or entities');
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new SourceRejected(`SMIL manifest is not well-formed XML (line ${String(valid.err.line)}: ${valid.err.msg})`);
  }
  const document: unknown = parser.parse(text);
  const smil = isRecord(document) ? document.smil : undefined;
  const body = isRecord(smil) ? smil.body : undefined;
  // An empty element parses to '': it is still an element, with no children.
  const switches: unknown[] = isRecord(body) && Array.isArray(body.switch) ? body.switch : [];
  if (!isRecord(smil)) throw new SourceRejected('SMIL manifest has no <smil> root element');
  if (switches.length !== 1) throw new SourceRejected('SMIL manifest needs exactly one <body><switch> element');
  const group = isRecord(switches[0]) ? switches[0] : {};
  const videoElements = Array.isArray(group.video) ? group.video.map((item) => (isRecord(item) ? item : {})) : [];
  const textElements = Array.isArray(group.textstream)
    ? group.textstream.map((item) => (isRecord(item) ? item : {}))
    : [];
  if (videoElements.length === 0) throw new SourceRejected('SMIL manifest lists no <video> in its <switch>');

  const videos = videoElements.map((element): SmilVideo => {
    const reference = attribute(element, 'src', 'name');
    if (!reference) throw new SourceRejected('a SMIL <video> has neither src nor name');
    return {
      key: resolveMediaKey(manifestKey, reference),
      reference,
      includeAudio: booleans(attribute(element, 'includeAudio'), reference),
      languages: list(attribute(element, 'systemLanguage', 'language')),
      audioNames: list(attribute(element, 'audioName')),
    };
  });
  const textStreams = textElements.map((element): SmilTextStream => {
    const reference = attribute(element, 'src', 'name');
    if (!reference) throw new SourceRejected('a SMIL <textstream> has neither src nor name');
    return {
      key: resolveMediaKey(manifestKey, reference),
      reference,
      language: attribute(element, 'systemLanguage', 'language'),
      subtitleName: attribute(element, 'subtitleName'),
    };
  });
  return { videos, textStreams };
}
