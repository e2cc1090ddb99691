import { validationError } from './dynamodb-errors';

export type TokenKind = 'name' | 'placeholder' | 'value' | 'number' | 'symbol' | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
}

const SYMBOLS = ['<>', '<=', '>=', '=', '<', '>', '(', ')', '[', ']', ',', '.', '+', '-'];

/** Which expression parameter is being read; it starts every error message, as in DynamoDB's. */
export type ExpressionKind =
  'ConditionExpression' | 'FilterExpression' | 'KeyConditionExpression' | 'UpdateExpression' | 'ProjectionExpression';

export function invalidExpression(kind: ExpressionKind, detail: string): Error {
  return validationError(`Invalid ${kind}: ${detail}`);
}

/** Splits an expression into tokens; anything that is not a token of DynamoDB's expression language is an error. */
export function tokenize(text: string, kind: ExpressionKind): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  while (position < text.length) {
    const rest = text.slice(position);
    const space = /^\s+/.exec(rest);
    if (space) {
      position += space[0].length;
      continue;
    }
    const word =
      /^#[A-Za-z0-9_]+/.exec(rest) ??
      /^:[A-Za-z0-9_]+/.exec(rest) ??
      /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest) ??
      /^\d+/.exec(rest);
    if (word) {
      const lexeme = word[0];
      const tokenKind: TokenKind = lexeme.startsWith('#')
        ? 'placeholder'
        : lexeme.startsWith(':')
          ? 'value'
          : /^\d/.test(lexeme)
            ? 'number'
            : 'name';
      tokens.push({ kind: tokenKind, text: lexeme, start: position, end: position + lexeme.length });
      position += lexeme.length;
      continue;
    }
    const symbol = SYMBOLS.find((candidate) => rest.startsWith(candidate));
    if (!symbol) {
      const character = rest.charAt(0);
      throw invalidExpression(
        kind,
        `Syntax error; token: "${character}", near: "${text.slice(Math.max(0, position - 8), position + 8)}"`,
      );
    }
    tokens.push({ kind: 'symbol', text: symbol, start: position, end: position + symbol.length });
    position += symbol.length;
  }
  tokens.push({ kind: 'eof', text: '<EOF>', start: text.length, end: text.length });
  return tokens;
}
