import { validationError } from './dynamodb-errors';

/**
 * DynamoDB numbers are decimals with up to 38 significant digits, not doubles: kept here as an integer mantissa and a
 * power of ten so that comparisons and ADD / SET + / - are exact, and returned in DynamoDB's canonical form ("1.50"
 * and "15e-1" are both "1.5").
 */
export interface Decimal {
  mantissa: bigint;
  exponent: number;
}

const NUMBER_FORMAT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes.Number
const MAX_DIGITS = 38;

export function parseDecimal(text: string): Decimal {
  const match = NUMBER_FORMAT.exec(text.trim());
  const [, sign = '', whole = '', fraction = '', exponentText = '0'] = match ?? [];
  if (!match || whole + fraction === '') throw validationError('A value provided cannot be converted into a number');
  const digits = (whole + fraction).replace(/^0+/, '');
  const mantissa = BigInt(digits === '' ? '0' : digits) * (sign === '-' ? -1n : 1n);
  return checkRange(normalise({ mantissa, exponent: Number(exponentText) - fraction.length }));
}

function normalise(value: Decimal): Decimal {
  if (value.mantissa === 0n) return { mantissa: 0n, exponent: 0 };
  let { mantissa, exponent } = value;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent += 1;
  }
  return { mantissa, exponent };
}

function checkRange(value: Decimal): Decimal {
  if (value.mantissa === 0n) return value;
  const digits = (value.mantissa < 0n ? -value.mantissa : value.mantissa).toString().length;
  if (digits > MAX_DIGITS) throw validationError('Attempting to store more than 38 significant digits in a Number');
  // Magnitude between 1E-130 and 9.9999999999999999999999999999999999999E+125.
  const magnitude = digits - 1 + value.exponent;
  if (magnitude > 125) {
    throw validationError('Number overflow. Attempting to store a number with magnitude larger than supported range');
  }
  if (magnitude < -130) {
    throw validationError('Number underflow. Attempting to store a number with magnitude smaller than supported range');
  }
  return value;
}

export function formatDecimal(value: Decimal): string {
  const negative = value.mantissa < 0n;
  const digits = (negative ? -value.mantissa : value.mantissa).toString();
  let text: string;
  if (value.exponent >= 0) text = digits + '0'.repeat(value.exponent);
  else {
    const padded = digits.padStart(-value.exponent + 1, '0');
    const point = padded.length + value.exponent;
    text = `${padded.slice(0, point)}.${padded.slice(point)}`;
  }
  return negative ? `-${text}` : text;
}

/** The canonical form of a number string (what DynamoDB stores and returns); throws for a non-number. */
export function canonicalNumber(text: string): string {
  return formatDecimal(parseDecimal(text));
}

function aligned(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const exponent = Math.min(a.exponent, b.exponent);
  return [
    a.mantissa * 10n ** BigInt(a.exponent - exponent),
    b.mantissa * 10n ** BigInt(b.exponent - exponent),
    exponent,
  ];
}

export function compareNumbers(a: string, b: string): number {
  const [left, right] = aligned(parseDecimal(a), parseDecimal(b));
  return left < right ? -1 : left > right ? 1 : 0;
}

export function addNumbers(a: string, b: string, sign: 1 | -1 = 1): string {
  const [left, right, exponent] = aligned(parseDecimal(a), parseDecimal(b));
  const sum = left + (sign === 1 ? right : -right);
  return formatDecimal(checkRange(normalise({ mantissa: sum, exponent })));
}
