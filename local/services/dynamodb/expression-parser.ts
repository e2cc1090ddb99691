import type { ExpressionAttributes } from './expression-attributes';
import type {
  Comparator,
  Condition,
  ConditionFunction,
  DocumentPath,
  Operand,
  SetValue,
  UpdateActions,
  UpdateOperand,
} from './expression-ast';
import { invalidExpression, tokenize, type ExpressionKind, type Token } from './expression-lexer';
import { isReservedWord } from './reserved-words';

const COMPARATORS: readonly string[] = ['=', '<>', '<', '<=', '>', '>='];
const CONDITION_FUNCTIONS: readonly string[] = [
  'attribute_exists',
  'attribute_not_exists',
  'attribute_type',
  'begins_with',
  'contains',
];
const UPDATE_FUNCTIONS: readonly string[] = ['if_not_exists', 'list_append'];
const ARITY: Record<string, number> = {
  attribute_exists: 1,
  attribute_not_exists: 1,
  attribute_type: 2,
  begins_with: 2,
  contains: 2,
  size: 1,
  if_not_exists: 2,
  list_append: 2,
};
const UPDATE_CLAUSES = ['SET', 'REMOVE', 'ADD', 'DELETE'] as const;
type UpdateClause = (typeof UPDATE_CLAUSES)[number];

/** The longest expression string DynamoDB takes (4 KB). */
const MAX_EXPRESSION_BYTES = 4096;

/** A recursive-descent parser over the tokens of one expression. */
class ExpressionParser {
  private readonly tokens: Token[];
  private position = 0;

  constructor(
    private readonly text: string,
    private readonly kind: ExpressionKind,
    private readonly attributes: ExpressionAttributes,
  ) {
    if (text.trim() === '') throw invalidExpression(kind, 'The expression can not be empty;');
    // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html#limits-expression-parameters
    const size = Buffer.byteLength(text, 'utf8');
    if (size > MAX_EXPRESSION_BYTES) {
      throw invalidExpression(
        kind,
        `Expression size has exceeded the maximum allowed size; expression size: ${String(size)}`,
      );
    }
    this.tokens = tokenize(text, kind);
  }

  // ------------------------------------------------------------------ token helpers
  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.position + offset, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.position += 1;
    return token;
  }

  private isSymbol(symbol: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === 'symbol' && token.text === symbol;
  }

  private isKeyword(keyword: string): boolean {
    const token = this.peek();
    return token.kind === 'name' && token.text.toUpperCase() === keyword;
  }

  private expectSymbol(symbol: string): void {
    if (!this.isSymbol(symbol)) throw this.syntaxError();
    this.next();
  }

  syntaxError(token: Token = this.peek()): Error {
    const index = this.tokens.indexOf(token);
    const before = this.tokens[index - 1];
    const after = this.tokens[index + 1];
    const start = before?.start ?? token.start;
    const end = after && after.kind !== 'eof' ? after.end : token.end;
    return invalidExpression(this.kind, `Syntax error; token: "${token.text}", near: "${this.text.slice(start, end)}"`);
  }

  atEnd(): boolean {
    return this.peek().kind === 'eof';
  }

  expectEnd(): void {
    if (!this.atEnd()) throw this.syntaxError();
  }

  // ------------------------------------------------------------------ paths and operands
  path(): DocumentPath {
    const path: DocumentPath = [{ name: this.pathName() }];
    for (;;) {
      if (this.isSymbol('.')) {
        this.next();
        path.push({ name: this.pathName() });
      } else if (this.isSymbol('[')) {
        this.next();
        const index = this.next();
        if (index.kind !== 'number') throw this.syntaxError(index);
        this.expectSymbol(']');
        path.push({ index: Number(index.text) });
      } else return path;
    }
  }

  private pathName(): string {
    const token = this.next();
    if (token.kind === 'placeholder') return this.attributes.name(token.text, this.kind);
    if (token.kind !== 'name') throw this.syntaxError(token);
    if (isReservedWord(token.text)) {
      throw invalidExpression(this.kind, `Attribute name is a reserved keyword; reserved keyword: ${token.text}`);
    }
    return token.text;
  }

  private functionName(): string | undefined {
    const token = this.peek();
    return token.kind === 'name' && this.isSymbol('(', 1) ? token.text : undefined;
  }

  private arguments<T>(name: string, argument: () => T): T[] {
    this.expectSymbol('(');
    const args = [argument()];
    while (this.isSymbol(',')) {
      this.next();
      args.push(argument());
    }
    this.expectSymbol(')');
    if (args.length !== ARITY[name]) {
      throw invalidExpression(
        this.kind,
        `Incorrect number of operands for operator or function; operator or function: ${name}, number of operands: ${String(args.length)}`,
      );
    }
    return args;
  }

  private requirePath(operand: Operand | UpdateOperand, name: string): DocumentPath {
    if (operand.kind !== 'path') {
      throw invalidExpression(
        this.kind,
        `Operator or function requires a document path; operator or function: ${name}`,
      );
    }
    return operand.path;
  }

  operand(): Operand {
    const token = this.peek();
    if (token.kind === 'value') {
      this.next();
      return { kind: 'value', value: this.attributes.value(token.text, this.kind) };
    }
    const functionName = this.functionName();
    if (functionName !== undefined) {
      if (functionName !== 'size') throw this.misusedFunction(functionName);
      this.next();
      const [argument] = this.arguments('size', () => this.operand());
      return { kind: 'size', path: this.requirePath(argument as Operand, 'size') };
    }
    if (token.kind === 'name' || token.kind === 'placeholder') return { kind: 'path', path: this.path() };
    throw this.syntaxError();
  }

  private misusedFunction(name: string): Error {
    if ([...CONDITION_FUNCTIONS, ...UPDATE_FUNCTIONS, 'size'].includes(name)) {
      return invalidExpression(
        this.kind,
        `The function is not allowed to be used this way in an expression; function: ${name}`,
      );
    }
    return invalidExpression(this.kind, `Invalid function name; function: ${name}`);
  }

  // ------------------------------------------------------------------ conditions
  condition(): Condition {
    let left = this.conjunction();
    while (this.isKeyword('OR')) {
      this.next();
      left = { kind: 'or', left, right: this.conjunction() };
    }
    return left;
  }

  private conjunction(): Condition {
    let left = this.negation();
    while (this.isKeyword('AND')) {
      this.next();
      left = { kind: 'and', left, right: this.negation() };
    }
    return left;
  }

  private negation(): Condition {
    if (this.isKeyword('NOT')) {
      this.next();
      return { kind: 'not', condition: this.negation() };
    }
    return this.primary();
  }

  private primary(): Condition {
    if (this.isSymbol('(')) {
      this.next();
      const inner = this.condition();
      this.expectSymbol(')');
      return inner;
    }
    const functionName = this.functionName();
    if (functionName !== undefined && functionName !== 'size') {
      if (!CONDITION_FUNCTIONS.includes(functionName)) throw this.misusedFunction(functionName);
      this.next();
      const args = this.arguments(functionName, () => this.operand());
      if (functionName === 'attribute_exists' || functionName === 'attribute_not_exists') {
        this.requirePath(args[0] as Operand, functionName);
      }
      return { kind: 'function', name: functionName as ConditionFunction, args };
    }
    const left = this.operand();
    const token = this.peek();
    if (token.kind === 'symbol' && COMPARATORS.includes(token.text)) {
      this.next();
      return { kind: 'compare', operator: token.text as Comparator, left, right: this.operand() };
    }
    if (this.isKeyword('BETWEEN')) {
      this.next();
      const lower = this.operand();
      if (!this.isKeyword('AND')) throw this.syntaxError();
      this.next();
      return { kind: 'between', operand: left, lower, upper: this.operand() };
    }
    if (this.isKeyword('IN')) {
      this.next();
      this.expectSymbol('(');
      const candidates = [this.operand()];
      while (this.isSymbol(',')) {
        this.next();
        candidates.push(this.operand());
      }
      this.expectSymbol(')');
      if (candidates.length > 100) {
        throw invalidExpression(
          this.kind,
          'The IN operator is provided with too many operands; number of operands: ' + String(candidates.length),
        );
      }
      return { kind: 'in', operand: left, candidates };
    }
    throw this.syntaxError();
  }

  // ------------------------------------------------------------------ updates
  update(): UpdateActions {
    const actions: UpdateActions = { set: [], remove: [], add: [], delete: [] };
    const seen = new Set<UpdateClause>();
    do {
      const token = this.next();
      const clause = UPDATE_CLAUSES.find((name) => token.kind === 'name' && token.text.toUpperCase() === name);
      if (!clause) throw this.syntaxError(token);
      if (seen.has(clause)) {
        throw invalidExpression(this.kind, `The "${clause}" section can only be used once in an update expression;`);
      }
      seen.add(clause);
      this.clauseAction(clause, actions);
      while (this.isSymbol(',')) {
        this.next();
        this.clauseAction(clause, actions);
      }
    } while (!this.atEnd());
    return actions;
  }

  private clauseAction(clause: UpdateClause, actions: UpdateActions): void {
    const path = this.path();
    if (clause === 'REMOVE') {
      actions.remove.push(path);
      return;
    }
    if (clause === 'SET') {
      this.expectSymbol('=');
      actions.set.push({ path, value: this.setValue() });
      return;
    }
    const token = this.next();
    if (token.kind !== 'value') throw this.syntaxError(token);
    const value = this.attributes.value(token.text, this.kind);
    (clause === 'ADD' ? actions.add : actions.delete).push({ path, value });
  }

  private setValue(): SetValue {
    const left = this.updateOperand();
    if (this.isSymbol('+') || this.isSymbol('-')) {
      const operator = this.next().text as '+' | '-';
      return { kind: 'arithmetic', operator, left, right: this.updateOperand() };
    }
    return { kind: 'operand', operand: left };
  }

  private updateOperand(): UpdateOperand {
    const token = this.peek();
    if (token.kind === 'value') {
      this.next();
      return { kind: 'value', value: this.attributes.value(token.text, this.kind) };
    }
    const functionName = this.functionName();
    if (functionName !== undefined) {
      if (!UPDATE_FUNCTIONS.includes(functionName)) throw this.misusedFunction(functionName);
      this.next();
      const [first, second] = this.arguments(functionName, () => this.updateOperand()) as [
        UpdateOperand,
        UpdateOperand,
      ];
      if (functionName === 'if_not_exists') {
        return { kind: 'if_not_exists', path: this.requirePath(first, functionName), fallback: second };
      }
      return { kind: 'list_append', first, second };
    }
    if (token.kind === 'name' || token.kind === 'placeholder') return { kind: 'path', path: this.path() };
    throw this.syntaxError();
  }

  // ------------------------------------------------------------------ projections
  projection(): DocumentPath[] {
    const paths = [this.path()];
    while (this.isSymbol(',')) {
      this.next();
      paths.push(this.path());
    }
    return paths;
  }
}

export function parseCondition(text: string, kind: ExpressionKind, attributes: ExpressionAttributes): Condition {
  const parser = new ExpressionParser(text, kind, attributes);
  const condition = parser.condition();
  parser.expectEnd();
  return condition;
}

export function parseUpdate(text: string, attributes: ExpressionAttributes): UpdateActions {
  const parser = new ExpressionParser(text, 'UpdateExpression', attributes);
  const actions = parser.update();
  parser.expectEnd();
  return actions;
}

export function parseProjection(text: string, attributes: ExpressionAttributes): DocumentPath[] {
  const parser = new ExpressionParser(text, 'ProjectionExpression', attributes);
  const paths = parser.projection();
  parser.expectEnd();
  return paths;
}
