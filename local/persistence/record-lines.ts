/**
 * JSON with one record a line: every array of the document (or the document, when it is an array) is written
 * with each element on its own line. Still one JSON document; but when the file is damaged (cut short by a full
 * disk, a byte flipped), each line that still parses is a whole record, so a damaged file loses only the records
 * it damaged.
 */
export function stringifyRecordPerLine(document: unknown): string {
  const list = (items: unknown[]) =>
    items.length === 0 ? '[]' : `[\n${items.map((item) => JSON.stringify(item)).join(',\n')}\n]`;
  if (Array.isArray(document)) return list(document);
  if (document === null || typeof document !== 'object') return JSON.stringify(document);
  const members = Object.entries(document as Record<string, unknown>)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${JSON.stringify(name)}:${Array.isArray(value) ? list(value) : JSON.stringify(value)}`);
  return `{${members.join(',')}}`;
}

/** The records of a damaged record-per-line file: each line that parses, alone, as a JSON object. */
export function salvageRecordLines(text: string): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    const candidate = line.trim().replace(/,$/, '');
    if (!candidate.startsWith('{') || !candidate.endsWith('}')) continue;
    try {
      const parsed: unknown = JSON.parse(candidate);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
        records.push(parsed as Record<string, unknown>);
      }
    } catch {
      // A damaged record: it is in the set-aside copy, and only it is lost.
    }
  }
  return records;
}
