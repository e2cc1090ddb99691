import { MissingConfiguration } from './errors';

/** Reads a required environment variable; throws at first use so a misconfigured function fails loudly. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') {
    throw new MissingConfiguration(`environment variable ${name} is not set`);
  }
  return value;
}

/** Reads a positive number from the environment, with a default. */
export function numberEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new MissingConfiguration(`environment variable ${name} must be a positive number, got "${raw}"`);
  }
  return value;
}

/** Reads an optional environment variable: undefined when unset or blank. */
export function optionalEnv(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** Reads a comma-separated list (blank items dropped), with a default when unset. */
export function listEnv(name: string, fallback: readonly string[]): string[] {
  const raw = optionalEnv(name);
  if (raw === undefined) return [...fallback];
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Reads `true`/`false` (any case), with a default; anything else is a configuration error. */
export function booleanEnv(name: string, fallback: boolean): boolean {
  const raw = optionalEnv(name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new MissingConfiguration(`environment variable ${name} must be true or false, got "${raw}"`);
}
