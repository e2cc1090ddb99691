import { numberEnv, requiredEnv } from '../../functions/commons/config';
import { MissingConfiguration } from '../../functions/commons/errors';
import { logger, redact } from '../../functions/commons/logger';

describe('logger', () => {
  it('masks values under secret-looking keys at any depth, keeps the rest', () => {
    const masked = redact({
      assetId: 'a1',
      taskToken: 'AQCEAAAA',
      nested: { Cookie: 'CloudFront-Policy=x', list: [{ signature: 's', size: 3 }] },
      headers: { Authorization: 'Bearer eyJ' },
    });

    expect(masked).toEqual({
      assetId: 'a1',
      taskToken: '[redacted]',
      nested: { Cookie: '[redacted]', list: [{ signature: '[redacted]', size: 3 }] },
      headers: { Authorization: '[redacted]' },
    });
  });

  it('writes one JSON line with a fixed message and the data, errors reduced to name and message', () => {
    const lines: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const previous = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'info';
    try {
      logger.warn('job failed', { jobId: 'j1', error: new TypeError('bad'), taskToken: 'secret-token' });
      logger.debug('not written at info level');
    } finally {
      process.env.LOG_LEVEL = previous;
      spy.mockRestore();
    }

    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(entry).toMatchObject({
      level: 'warn',
      message: 'job failed',
      jobId: 'j1',
      error: { name: 'TypeError', message: 'bad' },
      taskToken: '[redacted]',
    });
    expect(lines[0]).not.toContain('secret-token');
  });
});

describe('config', () => {
  it('returns a set variable and fails loudly for a missing one', () => {
    process.env.VODFLOW_TEST_SET = 'value';
    delete process.env.VODFLOW_TEST_MISSING;

    expect(requiredEnv('VODFLOW_TEST_SET')).toBe('value');
    expect(() => requiredEnv('VODFLOW_TEST_MISSING')).toThrow(MissingConfiguration);
    expect(() => requiredEnv('VODFLOW_TEST_MISSING')).toThrow('environment variable VODFLOW_TEST_MISSING is not set');
  });

  it('reads positive numbers with a default and refuses nonsense', () => {
    delete process.env.VODFLOW_TEST_NUMBER;
    expect(numberEnv('VODFLOW_TEST_NUMBER', 7)).toBe(7);
    process.env.VODFLOW_TEST_NUMBER = '42';
    expect(numberEnv('VODFLOW_TEST_NUMBER', 7)).toBe(42);
    process.env.VODFLOW_TEST_NUMBER = 'ten';
    expect(() => numberEnv('VODFLOW_TEST_NUMBER', 7)).toThrow(MissingConfiguration);
  });
});
