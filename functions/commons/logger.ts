/**
 * Structured JSON logs: a fixed message plus data. Values under keys that look like secrets are masked, so a
 * task token, a cookie or a signature can never reach CloudWatch even if a caller passes one by mistake.
 */
type Level = 'debug' | 'info' | 'warn' | 'error';
export type LogData = Record<string, unknown>;

const SECRET_KEY = /token|secret|password|cookie|signature|authorization|credential|privatekey/i;
const LEVELS: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function threshold(): number {
  const configured = (process.env.LOG_LEVEL ?? 'info').toLowerCase();
  return configured in LEVELS ? LEVELS[configured as Level] : LEVELS.info;
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[depth]';
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, SECRET_KEY.test(key) ? '[redacted]' : redact(item, depth + 1)]),
    );
  }
  return value;
}

function write(level: Level, message: string, data?: LogData): void {
  if (LEVELS[level] < threshold()) return;
  const line = JSON.stringify({ level, message, time: new Date().toISOString(), ...(redact(data ?? {}) as LogData) });
  process.stdout.write(`${line}\n`);
}

export const logger = {
  debug: (message: string, data?: LogData) => {
    write('debug', message, data);
  },
  info: (message: string, data?: LogData) => {
    write('info', message, data);
  },
  warn: (message: string, data?: LogData) => {
    write('warn', message, data);
  },
  error: (message: string, data?: LogData) => {
    write('error', message, data);
  },
};
