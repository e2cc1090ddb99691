/** One cached response: the whole object (ranges are cut from it), its type and when it goes stale. */
export interface CachedObject {
  body: Buffer;
  contentType: string;
  cacheControl: string;
  storedAt: number;
  expiresAt: number;
}

export interface EdgeCacheStats {
  entries: number;
  bytes: number;
}

/**
 * The edge's in-memory cache, keyed by path (the cache key ignores cookies: authorisation is checked before the
 * cache is consulted). Bounded in bytes; the least recently used entries go first.
 */
export class EdgeCache {
  private readonly entries = new Map<string, CachedObject>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(path: string, now: number): CachedObject | undefined {
    const entry = this.entries.get(path);
    if (!entry) return undefined;
    this.entries.delete(path);
    if (entry.expiresAt <= now) {
      this.bytes -= entry.body.length;
      return undefined;
    }
    this.entries.set(path, entry);
    return entry;
  }

  set(path: string, entry: CachedObject): void {
    this.remove(path);
    // An object larger than a quarter of the cache would evict everything else for one viewer's download.
    if (entry.body.length > this.maxBytes / 4) return;
    this.entries.set(path, entry);
    this.bytes += entry.body.length;
    for (const [oldest, cached] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= cached.body.length;
    }
  }

  /** Removes the entries an invalidation path names: exact, or every path under a prefix ending in `*`. */
  purge(paths: readonly string[]): number {
    let removed = 0;
    for (const cachedPath of [...this.entries.keys()]) {
      if (paths.some((path) => invalidationMatches(path, cachedPath))) {
        this.remove(cachedPath);
        removed += 1;
      }
    }
    return removed;
  }

  stats(): EdgeCacheStats {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private remove(path: string): void {
    const entry = this.entries.get(path);
    if (!entry) return;
    this.entries.delete(path);
    this.bytes -= entry.body.length;
  }
}

export function invalidationMatches(invalidationPath: string, cachedPath: string): boolean {
  return invalidationPath.endsWith('*')
    ? cachedPath.startsWith(invalidationPath.slice(0, -1))
    : cachedPath === invalidationPath;
}
