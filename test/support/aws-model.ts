import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A small validator of a JSON value against a shape of an AWS API model (botocore `service-2.json`): members exist,
 * required members are present, enums, patterns and string lengths, numeric min/max, list length, and recursion
 * into structures, lists and maps. It is what the service itself checks before it looks at the meaning of a
 * request, so a template that passes here fails on AWS only for semantic reasons.
 */

interface MemberRef {
  shape: string;
  /** A payload the SDK hands over as a stream (S3 object bodies). */
  streaming?: boolean;
}

export interface ModelShape {
  type: string;
  members?: Record<string, MemberRef>;
  required?: string[];
  member?: MemberRef;
  key?: MemberRef;
  value?: MemberRef;
  enum?: string[];
  pattern?: string;
  min?: number;
  max?: number;
  /** Set on error shapes: the HTTP status (and, for query protocols, the wire code) the service answers with. */
  error?: { httpStatusCode?: number; code?: string };
  exception?: boolean;
}

export interface ModelOperation {
  name: string;
  input?: MemberRef;
  output?: MemberRef;
  errors?: MemberRef[];
}

export interface AwsModel {
  metadata: { serviceId: string; protocol?: string };
  operations: Record<string, ModelOperation>;
  shapes: Record<string, ModelShape>;
}

/** The botocore models of the services vodflow calls. */
export type ModelName =
  | 'cloudfront'
  | 'dynamodb'
  | 'lambda'
  | 'mediaconvert'
  | 'mediapackage-vod'
  | 's3'
  | 'secretsmanager'
  | 'sns'
  | 'sqs'
  | 'stepfunctions'
  | 'wafv2';

const repoRoot = path.resolve(__dirname, '..', '..');

/**
 * Where the models are looked for, first match wins: `AWS_MODELS_DIR`, the copy vendored in `test/aws-models/`
 * (documentation stripped, so CI has them), then the team's full copy in `../shared/aws-models`. A missing model
 * fails loudly: a template test that silently skipped would prove nothing.
 */
export function modelDirectories(): string[] {
  return [
    process.env.AWS_MODELS_DIR,
    path.join(repoRoot, 'test', 'aws-models'),
    path.resolve(repoRoot, '..', 'shared', 'aws-models'),
  ].filter((dir): dir is string => typeof dir === 'string' && dir.length > 0);
}

const cache = new Map<ModelName, AwsModel>();

export function loadModel(name: ModelName): AwsModel {
  const cached = cache.get(name);
  if (cached) return cached;
  const file = modelDirectories()
    .map((dir) => path.join(dir, `${name}.json`))
    .find((candidate) => existsSync(candidate));
  if (!file) {
    throw new Error(`AWS model ${name}.json not found in ${modelDirectories().join(', ')}`);
  }
  const model = JSON.parse(readFileSync(file, 'utf8')) as AwsModel;
  cache.set(name, model);
  return model;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A streaming payload (an S3 object body) as the SDK hands it over: a Node readable stream. */
function isStream(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { pipe?: unknown }).pipe === 'function';
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function memberPath(parent: string, member: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(member) ? `${parent}.${member}` : `${parent}[${JSON.stringify(member)}]`;
}

class ShapeValidator {
  readonly errors: string[] = [];
  private readonly patterns = new Map<string, RegExp | undefined>();

  constructor(private readonly model: AwsModel) {}

  shape(name: string): ModelShape {
    const shape = this.model.shapes[name];
    if (!shape) throw new Error(`shape ${name} is not in the ${this.model.metadata.serviceId} model`);
    return shape;
  }

  check(shapeName: string, value: unknown, at: string): void {
    const shape = this.shape(shapeName);
    switch (shape.type) {
      case 'structure':
        this.structure(shapeName, shape, value, at);
        return;
      case 'list':
        this.list(shape, value, at);
        return;
      case 'map':
        this.map(shape, value, at);
        return;
      case 'string':
        this.string(shape, value, at);
        return;
      case 'integer':
      case 'long':
        this.number(shape, value, at, true);
        return;
      case 'double':
      case 'float':
        this.number(shape, value, at, false);
        return;
      case 'boolean':
        if (typeof value !== 'boolean') this.errors.push(`${at}: expected a boolean, got ${describe(value)}`);
        return;
      case 'timestamp':
        // Requests carry timestamps as strings or epoch numbers; the SDK hands answers over as Date objects.
        if (typeof value !== 'string' && typeof value !== 'number' && !(value instanceof Date)) {
          this.errors.push(`${at}: expected a timestamp, got ${describe(value)}`);
        }
        return;
      case 'blob':
        if (typeof value !== 'string' && !(value instanceof Uint8Array) && !isStream(value)) {
          this.errors.push(`${at}: expected a blob (base64 string or bytes), got ${describe(value)}`);
        }
        return;
      default:
        this.errors.push(`${at}: shape ${shapeName} has type ${shape.type}, which this validator does not check`);
    }
  }

  private structure(name: string, shape: ModelShape, value: unknown, at: string): void {
    if (!isPlainObject(value)) {
      this.errors.push(`${at}: expected a ${name} object, got ${describe(value)}`);
      return;
    }
    const members = shape.members ?? {};
    for (const required of shape.required ?? []) {
      if (value[required] === undefined) this.errors.push(`${memberPath(at, required)}: required by ${name}, missing`);
    }
    for (const [key, item] of Object.entries(value)) {
      const member = members[key];
      if (!member) {
        this.errors.push(`${memberPath(at, key)}: not a member of ${name}`);
      } else if (item !== undefined) {
        this.check(member.shape, item, memberPath(at, key));
      }
    }
  }

  private list(shape: ModelShape, value: unknown, at: string): void {
    if (!Array.isArray(value)) {
      this.errors.push(`${at}: expected a list, got ${describe(value)}`);
      return;
    }
    this.bounds(shape, value.length, at, 'items');
    const member = shape.member;
    if (!member) return;
    value.forEach((item, index) => {
      this.check(member.shape, item, `${at}[${index}]`);
    });
  }

  private map(shape: ModelShape, value: unknown, at: string): void {
    if (!isPlainObject(value)) {
      this.errors.push(`${at}: expected a map, got ${describe(value)}`);
      return;
    }
    const { key, value: valueRef } = shape;
    for (const [entryKey, item] of Object.entries(value)) {
      const entryPath = `${at}[${JSON.stringify(entryKey)}]`;
      if (key) this.check(key.shape, entryKey, `${entryPath} (key)`);
      if (valueRef) this.check(valueRef.shape, item, entryPath);
    }
  }

  private string(shape: ModelShape, value: unknown, at: string): void {
    if (typeof value !== 'string') {
      this.errors.push(`${at}: expected a string, got ${describe(value)}`);
      return;
    }
    if (shape.enum && !shape.enum.includes(value)) {
      this.errors.push(`${at}: ${JSON.stringify(value)} is not one of ${shape.enum.join(', ')}`);
    }
    this.bounds(shape, value.length, at, 'characters');
    const pattern = shape.pattern === undefined ? undefined : this.regExp(shape.pattern);
    if (pattern && !pattern.test(value)) {
      this.errors.push(`${at}: ${JSON.stringify(value)} does not match ${shape.pattern ?? ''}`);
    }
  }

  private number(shape: ModelShape, value: unknown, at: string, integer: boolean): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.errors.push(`${at}: expected a number, got ${describe(value)}`);
      return;
    }
    if (integer && !Number.isInteger(value)) {
      this.errors.push(`${at}: ${value} is not an integer`);
      return;
    }
    if (shape.min !== undefined && value < shape.min) this.errors.push(`${at}: ${value} < min ${shape.min}`);
    if (shape.max !== undefined && value > shape.max) this.errors.push(`${at}: ${value} > max ${shape.max}`);
  }

  private bounds(shape: ModelShape, length: number, at: string, unit: string): void {
    if (shape.min !== undefined && length < shape.min) {
      this.errors.push(`${at}: ${length} ${unit} < min ${shape.min}`);
    }
    if (shape.max !== undefined && length > shape.max) {
      this.errors.push(`${at}: ${length} ${unit} > max ${shape.max}`);
    }
  }

  /**
   * Model patterns are Smithy patterns: ECMAScript syntax, not anchored. A few older ones use Java-only syntax
   * (`\p{Print}`) or escapes that only non-Unicode mode allows; Java classes are not checked rather than misread.
   */
  private regExp(pattern: string): RegExp | undefined {
    if (this.patterns.has(pattern)) return this.patterns.get(pattern);
    let compiled: RegExp | undefined;
    try {
      compiled = new RegExp(pattern, 'u');
    } catch {
      compiled = /\\p\{/.test(pattern) ? undefined : new RegExp(pattern);
    }
    this.patterns.set(pattern, compiled);
    return compiled;
  }
}

/**
 * Validates `value` against the shape `shapeName` of `model` and returns readable errors, one per problem, each
 * starting with the path of the offending value, e.g.
 * `Settings.OutputGroups[0].Outputs[1].VideoDescription.Height: 9000 > max 8192`. An empty list means valid.
 */
export function validateShape(model: AwsModel, shapeName: string, value: unknown, at = shapeName): string[] {
  const validator = new ShapeValidator(model);
  validator.check(shapeName, value, at);
  return validator.errors;
}
