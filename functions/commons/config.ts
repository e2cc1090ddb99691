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
