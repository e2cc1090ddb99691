import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from './project-root';

/**
 * The stack's shape as serverless.yml declares it, read by local mode instead of copied by hand: each function's
 * handler, timeout and memory (provider defaults applied, as the framework applies them) and the HTTP API's routes.
 * One source for the cloud and local mode; test/stack/local-cloud-agreement.test.ts checks the packaged template
 * says the same.
 */
export interface FunctionShape {
  name: string;
  /** `functions/<folder>/handler.handler` */
  handler: string;
  timeoutSeconds: number;
  memoryMb: number;
}

export interface RouteShape {
  method: string;
  path: string;
  functionName: string;
}

export interface StackShape {
  functions: Map<string, FunctionShape>;
  routes: RouteShape[];
}

interface ServerlessFunction {
  handler?: unknown;
  timeout?: unknown;
  memorySize?: unknown;
  events?: { httpApi?: { method?: unknown; path?: unknown } }[];
}

interface ServerlessConfig {
  provider?: { timeout?: unknown; memorySize?: unknown };
  functions?: Record<string, ServerlessFunction>;
}

/** The framework's own defaults when neither the function nor the provider sets one (Serverless Framework v3). */
const FRAMEWORK_DEFAULT_TIMEOUT = 6;
const FRAMEWORK_DEFAULT_MEMORY = 1024;

function positive(value: unknown, fallback: number): number {
  return typeof value === 'number' && value > 0 ? value : fallback;
}

export function readStackShape(file = join(PROJECT_ROOT, 'serverless.yml')): StackShape {
  const config = parse(readFileSync(file, 'utf8')) as ServerlessConfig;
  const timeout = positive(config.provider?.timeout, FRAMEWORK_DEFAULT_TIMEOUT);
  const memory = positive(config.provider?.memorySize, FRAMEWORK_DEFAULT_MEMORY);
  const functions = new Map<string, FunctionShape>();
  const routes: RouteShape[] = [];
  for (const [name, fn] of Object.entries(config.functions ?? {})) {
    if (typeof fn.handler !== 'string') throw new Error(`serverless.yml: function ${name} has no handler`);
    functions.set(name, {
      name,
      handler: fn.handler,
      timeoutSeconds: positive(fn.timeout, timeout),
      memoryMb: positive(fn.memorySize, memory),
    });
    for (const event of fn.events ?? []) {
      const route = event.httpApi;
      if (route && typeof route.method === 'string' && typeof route.path === 'string') {
        routes.push({ method: route.method.toUpperCase(), path: route.path, functionName: name });
      }
    }
  }
  return { functions, routes };
}

let cached: StackShape | undefined;

/** The shape of this checkout's serverless.yml, read once. */
export function stackShape(): StackShape {
  cached ??= readStackShape();
  return cached;
}
