/**
 * The .smil manifest MediaPackage VOD ingests for an MP4 source: one `<switch>` of `<video>` elements, each naming
 * an MP4 relative to the manifest, with the audio attributes MediaPackage reads (`systemLanguage`, `audioName`,
 * `includeAudio`). Source: docs.aws.amazon.com/mediapackage/latest/ug/supported-inputs-vod-smil.html.
 * Pure: names in, XML text out.
 */
import { OUTPUT_LAYOUT } from '../commons/output-layout';
import { PackagingMisconfigured } from './packaging-errors';

export interface SmilSource {
  /** MP4 file names relative to the manifest (same folder), top rung first. */
  videos: string[];
  /** The language (ISO 639-2) of the audio every MP4 carries; undefined when the MP4s are silent. */
  audioLanguage?: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const escapeXml = (text: string): string => text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);

const languageNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });

/** The name players show for the audio track: `English` for `eng`; `Original` when the language is unknown. */
export function audioTrackName(language: string): string {
  if (language === 'und') return 'Original';
  try {
    return languageNames.of(language) ?? language;
  } catch {
    return language;
  }
}

/**
 * Every MP4 carries the same AAC track, so the audio is taken from the first video only (`includeAudio="true"`
 * with its language and name) and left out of the others (`includeAudio="false"`): players see one audio track,
 * not one per rung. A silent source marks every video `includeAudio="false"`.
 */
export function smilManifest(source: SmilSource): string {
  const { audioLanguage } = source;
  const videos = source.videos.map((name, index) => {
    const audio =
      index === 0 && audioLanguage
        ? ` systemLanguage="${escapeXml(audioLanguage)}" audioName="${escapeXml(audioTrackName(audioLanguage))}" includeAudio="true"`
        : ' includeAudio="false"';
    return `      <video src="${escapeXml(name)}"${audio}/>`;
  });
  return smilDocument(videos);
}

/** The .smil document around its `<switch>` elements (each already an XML line), as AWS's example lays it out. */
export function smilDocument(switchElements: string[]): string {
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<smil>',
    '  <body>',
    '    <switch>',
    ...switchElements,
    '    </switch>',
    '  </body>',
    '</smil>',
    '',
  ].join('\n');
}

const folderOf = (uri: string): string => uri.slice(0, uri.lastIndexOf('/') + 1);

/** The .smil for MP4s given as s3:// URIs: it goes beside them (`…/mp4/index.smil`) and names them relative to it. */
export function smilBesideMp4s(mp4Files: string[], audioLanguage: string | undefined): { uri: string; body: string } {
  const [first] = mp4Files;
  const folder = first ? folderOf(first) : '';
  if (!first || mp4Files.some((file) => folderOf(file) !== folder)) {
    throw new PackagingMisconfigured('the transcode must give at least one MP4, all in one folder');
  }
  const videos = mp4Files.map((file) => file.slice(folder.length));
  const body = smilManifest({ videos, ...(audioLanguage ? { audioLanguage } : {}) });
  return { uri: `${folder}${OUTPUT_LAYOUT.baseName}.smil`, body };
}
