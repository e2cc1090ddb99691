const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { transformSync } = require('esbuild');

// Part of every cache key, so that changing how files are transformed invalidates jest's cache.
const SELF = readFileSync(require.resolve('./esbuild-transform.cjs'), 'utf8');

/**
 * Minimal jest transformer: TypeScript to CommonJS with inline source maps. It also turns the ESM-only packages
 * that jest's module system cannot load (middy, jose) into CommonJS; jest.config.cjs lists them.
 */
module.exports = {
  getCacheKey(source, filename) {
    return createHash('sha256').update(SELF).update('\0').update(filename).update('\0').update(source).digest('hex');
  },
  process(source, filename) {
    const { code, map } = transformSync(source, {
      loader: filename.endsWith('.ts') ? 'ts' : 'js',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'external',
      sourcefile: filename,
      // jest's module system has no import(): lazy imports (local mode loads functions on first use) become require.
      supported: { 'dynamic-import': false },
    });
    return { code, map };
  },
};
