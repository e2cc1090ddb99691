import { spawn } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * Packages the real serverless.yml (`serverless package`, no AWS credentials needed) and queries the generated
 * CloudFormation template. Stack tests call packageStack() once, in beforeAll.
 */

export const REPO_ROOT = join(__dirname, '..', '..');
export const STAGE = 'test';
export const REGION = 'us-east-1';
export const SERVICE = 'vodflow';
export const PREFIX = `${SERVICE}-${STAGE}`;
export const STATE_MACHINE_NAME = `${PREFIX}-publish-video`;

/** Budget for one packaging run; a beforeAll that calls packageStack() should allow ~180 s. */
export const PACKAGE_TIMEOUT_MS = 120_000;
const LOCK_WAIT_MS = 150_000;
/** serverless-esbuild builds in <repo>/.esbuild: two runs at once (parallel jest workers) would clobber it. */
const LOCK_DIR = join(tmpdir(), 'vodflow-serverless-package.lock');

export type Intrinsic = Record<string, unknown>;

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

export interface CfnParameter {
  Type: string;
  Default?: string | number;
  AllowedPattern?: string;
  ConstraintDescription?: string;
  MinValue?: number;
}

export interface CfnRule {
  RuleCondition?: unknown;
  Assertions: { Assert: unknown; AssertDescription?: string }[];
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource & { Condition?: string }>;
  Outputs?: Record<string, { Value: unknown; Description?: string; Condition?: string }>;
  Parameters?: Record<string, CfnParameter>;
  Conditions?: Record<string, unknown>;
  Rules?: Record<string, CfnRule>;
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** Where a statement lives: `<LogicalId>` plus the kind of document (identity, trust, resource or key policy). */
export interface LocatedStatement {
  logicalId: string;
  kind: 'identity' | 'trust' | 'resource' | 'key';
  statement: PolicyStatement;
}

export interface PackagedStack {
  template: CfnTemplate;
}

/** A throwaway RSA public key (SPKI PEM), as CloudFront trusted key groups require. */
export function throwawayPublicKeyPem(): string {
  const { publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return publicKey;
}

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms);
  });

async function withPackageLock<T>(work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      try {
        // A lock older than any run can be is left over from a killed process.
        if (Date.now() - statSync(LOCK_DIR).mtimeMs > PACKAGE_TIMEOUT_MS + 30_000)
          rmSync(LOCK_DIR, { force: true, recursive: true });
      } catch {
        // released meanwhile
      }
      if (Date.now() > deadline) throw new Error('timed out waiting for another `serverless package` run to finish');
      await sleep(200);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(LOCK_DIR, { force: true, recursive: true });
  }
}

function runServerless(args: string[]): Promise<void> {
  // The `serverless` command of this repository (osls, the maintained Serverless Framework v3).
  const bin = require.resolve('osls/bin/serverless.js', { paths: [REPO_ROOT] });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let settled = false;
    const kill = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => {
      kill();
      finish(new Error(`serverless ${args[0] ?? ''} timed out after ${PACKAGE_TIMEOUT_MS} ms\n${output.slice(-4000)}`));
    }, PACKAGE_TIMEOUT_MS);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      // After a build error serverless prints its error report and then may never exit (esbuild's service stays up).
      if (/^Environment: /m.test(output)) {
        setTimeout(() => {
          kill();
          finish(new Error(`serverless ${args[0] ?? ''} failed\n${output.slice(-4000)}`));
        }, 1000);
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error) => {
      finish(error);
    });
    child.on('exit', (code) => {
      if (code === 0) finish();
      else finish(new Error(`serverless ${args[0] ?? ''} exited with ${String(code)}\n${output.slice(-4000)}`));
    });
  });
}

/** Everything that shapes the packaged stack: the stack, the ASL and templates it includes, the code, the tools. */
function stackInputsHash(): string {
  const hash = createHash('sha256');
  const add = (path: string): void => {
    const full = join(REPO_ROOT, path);
    if (statSync(full).isDirectory()) {
      for (const entry of readdirSync(full).sort()) add(join(path, entry));
    } else {
      hash.update(path).update(readFileSync(full));
    }
  };
  for (const path of ['serverless.yml', 'package-lock.json', 'statemachines', 'templates', 'functions']) add(path);
  return hash.digest('hex').slice(0, 16);
}

/**
 * `serverless package --stage test` of the repository's serverless.yml, with no key and no AWS account (the
 * playback key is a CloudFormation parameter, supplied at deploy), and the generated update-stack template.
 * Packaged once per set of inputs: every stack test file asks, the first one packages (under a lock, since
 * serverless-esbuild builds in the repository's .esbuild/), the others read the same template.
 */
export async function packageStack(): Promise<PackagedStack> {
  const cached = join(tmpdir(), `vodflow-stack-${stackInputsHash()}.json`);
  return withPackageLock(async () => {
    if (existsSync(cached)) return { template: JSON.parse(readFileSync(cached, 'utf8')) as CfnTemplate };
    const outputDir = mkdtempSync(join(tmpdir(), 'vodflow-package-'));
    try {
      await runServerless(['package', '--stage', STAGE, '--region', REGION, '--package', outputDir]);
      const template = readFileSync(join(outputDir, 'cloudformation-template-update-stack.json'), 'utf8');
      writeFileSync(cached, template);
      return { template: JSON.parse(template) as CfnTemplate };
    } finally {
      rmSync(outputDir, { force: true, recursive: true });
    }
  });
}

export function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export function resource(template: CfnTemplate, logicalId: string): CfnResource {
  const found = template.Resources[logicalId];
  if (found === undefined) throw new Error(`the template has no resource ${logicalId}`);
  return found;
}

export function properties(template: CfnTemplate, logicalId: string): Record<string, unknown> {
  return resource(template, logicalId).Properties ?? {};
}

export function resourcesOfType(template: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, candidate]) => candidate.Type === type);
}

/** `{ Ref: X }` / `{ Fn::GetAtt: [X, Attr] }` as compact strings, for readable assertions. */
export function describeReference(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const intrinsic = value as Intrinsic;
  if (typeof intrinsic.Ref === 'string') return `Ref:${intrinsic.Ref}`;
  const getAtt = intrinsic['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt.length === 2) return `GetAtt:${String(getAtt[0])}.${String(getAtt[1])}`;
  return undefined;
}

interface PolicyDocument {
  Statement: PolicyStatement | PolicyStatement[];
}

/** Every policy statement in the template: IAM roles and policies, bucket, queue and topic policies, key policies. */
export function allPolicyStatements(template: CfnTemplate): LocatedStatement[] {
  const located: LocatedStatement[] = [];
  const add = (logicalId: string, kind: LocatedStatement['kind'], document: unknown) => {
    if (document === undefined) return;
    for (const statement of asArray((document as PolicyDocument).Statement))
      located.push({ logicalId, kind, statement });
  };
  for (const [logicalId, candidate] of Object.entries(template.Resources)) {
    const props = candidate.Properties ?? {};
    switch (candidate.Type) {
      case 'AWS::IAM::Role':
        add(logicalId, 'trust', props.AssumeRolePolicyDocument);
        for (const policy of asArray(props.Policies as { PolicyDocument: unknown }[] | undefined)) {
          add(logicalId, 'identity', policy.PolicyDocument);
        }
        break;
      case 'AWS::IAM::Policy':
      case 'AWS::IAM::ManagedPolicy':
      case 'AWS::IAM::RolePolicy':
        add(logicalId, 'identity', props.PolicyDocument);
        break;
      case 'AWS::S3::BucketPolicy':
      case 'AWS::SQS::QueuePolicy':
      case 'AWS::SNS::TopicPolicy':
        add(logicalId, 'resource', props.PolicyDocument);
        break;
      case 'AWS::KMS::Key':
        add(logicalId, 'key', props.KeyPolicy);
        break;
      default:
        break;
    }
  }
  return located;
}

/** The identity-policy statements of one IAM role. */
export function roleStatements(template: CfnTemplate, roleLogicalId: string): PolicyStatement[] {
  const role = resource(template, roleLogicalId);
  if (role.Type !== 'AWS::IAM::Role') throw new Error(`${roleLogicalId} is a ${role.Type}, not an IAM role`);
  return allPolicyStatements(template)
    .filter((entry) => entry.logicalId === roleLogicalId && entry.kind === 'identity')
    .map((entry) => entry.statement);
}

/** The services a role's trust policy lets assume it. */
export function trustedServices(template: CfnTemplate, roleLogicalId: string): string[] {
  return allPolicyStatements(template)
    .filter((entry) => entry.logicalId === roleLogicalId && entry.kind === 'trust')
    .flatMap((entry) => asArray((entry.statement.Principal as { Service?: string | string[] } | undefined)?.Service));
}

/** Logical id of the role a function runs with (functions reference their role with Fn::GetAtt [Role, Arn]). */
export function functionRole(template: CfnTemplate, functionLogicalId: string): string {
  const role = describeReference(properties(template, functionLogicalId).Role);
  const match = /^GetAtt:(\w+)\.Arn$/.exec(role ?? '');
  if (!match?.[1]) throw new Error(`${functionLogicalId} does not reference a role of this stack: ${String(role)}`);
  return match[1];
}

/**
 * Evaluates the string intrinsics CloudFormation resolves without deploying (Fn::Join, Fn::Split, Fn::Select, and
 * Ref of a template parameter given in `parameters`), e.g. to see the exact PEM CloudFront will receive.
 */
export function evaluateStatic(value: unknown, parameters: Record<string, string> = {}): unknown {
  const evaluate = (item: unknown): unknown => evaluateStatic(item, parameters);
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (Array.isArray(value)) return value.map(evaluate);
  const intrinsic = value as Intrinsic;
  if (intrinsic['Fn::Join'] !== undefined) {
    const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown];
    return (evaluate(parts) as unknown[]).map(String).join(separator);
  }
  if (intrinsic['Fn::Split'] !== undefined) {
    const [separator, source] = intrinsic['Fn::Split'] as [string, unknown];
    return String(evaluate(source)).split(separator);
  }
  if (intrinsic['Fn::Select'] !== undefined) {
    const [index, list] = intrinsic['Fn::Select'] as [number | string, unknown];
    return (evaluate(list) as unknown[])[Number(index)];
  }
  const parameter = typeof intrinsic.Ref === 'string' ? parameters[intrinsic.Ref] : undefined;
  if (parameter !== undefined) return parameter;
  throw new Error(`cannot evaluate ${JSON.stringify(value)} without deploying`);
}

/** A deployment to imagine: the stack parameters an operator passes and the region. */
export interface Deployment {
  parameters?: Record<string, string>;
  region?: string;
}

/** What `Ref: AWS::NoValue` leaves: the property disappears. */
const NO_VALUE = Symbol('AWS::NoValue');

const PSEUDO_PARAMETERS = (region: string): Record<string, string> => ({
  'AWS::Region': region,
  'AWS::AccountId': '123456789012',
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'vodflow-test',
});

/**
 * Resolves a template value the way CloudFormation would for a given deployment (parameters and region): Conditions,
 * Fn::If, Fn::Equals/Not/And/Or, Ref of parameters (their Default when not passed) and pseudo parameters, Fn::Sub,
 * Fn::Join/Split/Select. What exists only once deployed stays symbolic: `Ref:X` / `GetAtt:X.Attr` for resources and
 * `${X.Attr}` inside Fn::Sub.
 */
export function resolveForDeployment(template: CfnTemplate, value: unknown, deployment: Deployment = {}): unknown {
  const region = deployment.region ?? REGION;
  const pseudo = PSEUDO_PARAMETERS(region);
  const parameter = (name: string): string | undefined => {
    if (name in pseudo) return pseudo[name];
    const passed = deployment.parameters?.[name];
    if (passed !== undefined) return passed;
    const declared = template.Parameters?.[name];
    if (declared === undefined) return undefined;
    if (declared.Default === undefined) throw new Error(`parameter ${name} has no default: pass it`);
    return String(declared.Default);
  };
  const condition = (name: string): boolean => {
    const definition = template.Conditions?.[name];
    if (definition === undefined) throw new Error(`the template has no condition ${name}`);
    return resolve(definition) === true;
  };
  const resolve = (item: unknown): unknown => {
    if (item === null || typeof item !== 'object') return item;
    if (Array.isArray(item)) return item.map(resolve).filter((entry) => entry !== NO_VALUE);
    const intrinsic = item as Intrinsic;
    const [key] = Object.keys(intrinsic);
    const argument = key === undefined ? undefined : intrinsic[key];
    switch (key) {
      case 'Ref': {
        const name = String(argument);
        if (name === 'AWS::NoValue') return NO_VALUE;
        return parameter(name) ?? `Ref:${name}`;
      }
      case 'Fn::GetAtt': {
        const [target, attribute] = argument as [string, string];
        return `GetAtt:${target}.${attribute}`;
      }
      case 'Condition':
        return condition(String(argument));
      case 'Fn::If': {
        const [name, whenTrue, whenFalse] = argument as [string, unknown, unknown];
        return resolve(condition(name) ? whenTrue : whenFalse);
      }
      case 'Fn::Equals': {
        const [left, right] = argument as [unknown, unknown];
        return JSON.stringify(resolve(left)) === JSON.stringify(resolve(right));
      }
      case 'Fn::Not':
        return resolve((argument as [unknown])[0]) !== true;
      case 'Fn::And':
        return (argument as unknown[]).every((entry) => resolve(entry) === true);
      case 'Fn::Or':
        return (argument as unknown[]).some((entry) => resolve(entry) === true);
      case 'Fn::Sub': {
        const [text, variables] = Array.isArray(argument)
          ? (argument as [string, Record<string, unknown>])
          : [String(argument), {}];
        return text.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
          if (name in variables) return String(resolve(variables[name]));
          return name.includes('.') ? whole : (parameter(name) ?? whole);
        });
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown];
        return (resolve(parts) as unknown[]).map(String).join(separator);
      }
      case 'Fn::Split': {
        const [separator, source] = argument as [string, unknown];
        return String(resolve(source)).split(separator);
      }
      case 'Fn::Select': {
        const [index, list] = argument as [number | string, unknown];
        return (resolve(list) as unknown[])[Number(index)];
      }
      default:
        return Object.fromEntries(
          Object.entries(intrinsic)
            .map(([name, entry]) => [name, resolve(entry)] as const)
            .filter(([, entry]) => entry !== NO_VALUE),
        );
    }
  };
  const resolved = resolve(value);
  return resolved === NO_VALUE ? undefined : resolved;
}

/** Whether a condition of the template holds for a deployment. */
export function conditionHolds(template: CfnTemplate, name: string, deployment: Deployment = {}): boolean {
  return resolveForDeployment(template, { Condition: name }, deployment) === true;
}

/** The AssertDescriptions of the template's Rules that would stop this deployment before anything is created. */
export function failedRules(template: CfnTemplate, deployment: Deployment = {}): string[] {
  const failures: string[] = [];
  for (const [name, rule] of Object.entries(template.Rules ?? {})) {
    if (rule.RuleCondition !== undefined && resolveForDeployment(template, rule.RuleCondition, deployment) !== true)
      continue;
    for (const assertion of rule.Assertions) {
      if (resolveForDeployment(template, assertion.Assert, deployment) !== true)
        failures.push(`${name}: ${assertion.AssertDescription ?? 'assertion failed'}`);
    }
  }
  return failures;
}

/** Whether a value passes a parameter's AllowedPattern (each item for a CommaDelimitedList). */
export function parameterAccepts(template: CfnTemplate, name: string, value: string): boolean {
  const declared = template.Parameters?.[name];
  if (declared === undefined) throw new Error(`the template has no parameter ${name}`);
  if (declared.AllowedPattern === undefined) return true;
  const pattern = new RegExp(declared.AllowedPattern);
  const values = declared.Type === 'CommaDelimitedList' ? value.split(',') : [value];
  return values.every((item) => pattern.test(item));
}

/**
 * The CloudFormation parameters `serverless deploy` passes (provider.stackParameters of serverless.yml), each
 * `${param:name[, fallback]}` resolved from `params` (the operator's --param values) or serverless.yml's defaults.
 */
export function deployParameters(params: Record<string, string> = {}): Record<string, string> {
  const config = parse(readFileSync(join(REPO_ROOT, 'serverless.yml'), 'utf8'), { merge: true }) as {
    params: { default: Record<string, string | number> };
    provider: { stackParameters: { ParameterKey: string; ParameterValue: string }[] };
  };
  return Object.fromEntries(
    config.provider.stackParameters.map(({ ParameterKey, ParameterValue }) => {
      const match = /^\$\{param:(\w+)(?:,\s*'([^']*)')?\}$/.exec(ParameterValue);
      if (!match?.[1]) throw new Error(`${ParameterKey} is not passed as \${param:...}: ${ParameterValue}`);
      const name = match[1];
      const value = params[name] ?? config.params.default[name] ?? match[2];
      if (value === undefined) throw new Error(`--param ${name} is required`);
      return [ParameterKey, String(value)];
    }),
  );
}
