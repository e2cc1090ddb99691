import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { LambdaFunctionError, type LocalLambda } from '../runtime/lambda-functions';
import type { LocalRuntime } from '../runtime/local-runtime';
import type { LocalEndpoints } from '../runtime/local-stack';
import { logger } from '../../functions/commons/logger';
import { InvalidTokenRequest } from '../auth/local-issuer';
import { PROJECT_ROOT } from '../runtime/project-root';
import { httpApi } from './http-api-adapter';
import { inspectExecutions, inspectQueues, inspectTopics } from './inspection';
import { isCrossSite, LocalRequestRefused, readJsonObject, refusals, requestUrl } from './request-guards';
import { serveFile } from './static-files';

type ApiListener = (request: IncomingMessage, response: ServerResponse, path: string) => Promise<void>;

export function createApiListener(lambda: LocalLambda, endpoints: LocalEndpoints): ApiListener {
  return httpApi((name, event) => lambda.invoke(name, event), [endpoints.appUrl]);
}

const WEB_ROOT = join(PROJECT_ROOT, 'local', 'web');
const VENDOR: Record<string, string> = {
  'hls.min.js': join(PROJECT_ROOT, 'node_modules', 'hls.js', 'dist', 'hls.min.js'),
  'dash.all.min.js': join(PROJECT_ROOT, 'node_modules', 'dashjs', 'dist', 'modern', 'umd', 'dash.all.min.js'),
};

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

const MAX_JSON_BODY_BYTES = 64 * 1024;

interface AppParts {
  runtime: LocalRuntime;
  api: ApiListener;
  s3Http: (request: IncomingMessage, response: ServerResponse) => Promise<void>;
}

/**
 * The app server: the page, the API (as the HTTP API serves it), the local issuer, pre-signed S3 uploads and the
 * inspection endpoints for topics, queues and executions. Only ever bound to 127.0.0.1.
 */
export function createAppListener({ runtime, api, s3Http }: AppParts) {
  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = requestUrl(request, runtime.endpoints.appUrl);
    const path = url.pathname;
    const method = request.method ?? 'GET';
    // The issuer and the operator routes act for whoever runs local mode: no other site may drive them.
    if ((path.startsWith('/local/') || path.startsWith('/auth/')) && isCrossSite(request, runtime.endpoints.appUrl)) {
      throw refusals.crossSite();
    }

    if (path.startsWith('/api/')) return api(request, response, `${path.slice(4)}${url.search}`);
    if (path.startsWith('/s3/')) return s3Http(request, response);

    if (path === '/auth/.well-known/jwks.json') {
      json(response, 200, runtime.issuer.jwks());
      return;
    }
    if (path === '/auth/.well-known/openid-configuration') {
      json(response, 200, {
        issuer: runtime.issuer.issuer,
        jwks_uri: `${runtime.issuer.issuer}/.well-known/jwks.json`,
      });
      return;
    }
    if (path === '/auth/token' && method === 'POST') {
      const body = await readJsonObject(request, MAX_JSON_BODY_BYTES);
      try {
        const entitlements = Array.isArray(body.entitlements) ? body.entitlements.map(String) : [];
        json(
          response,
          200,
          await runtime.issuer.token({ user: typeof body.user === 'string' ? body.user : '', entitlements }),
        );
        return;
      } catch (error) {
        if (!(error instanceof InvalidTokenRequest)) throw error;
        json(response, 400, { message: error.message });
        return;
      }
    }

    if (path === '/local/config') {
      json(response, 200, { edgeUrl: runtime.endpoints.edgeUrl, apiBase: '/api' });
      return;
    }
    if (path === '/local/executions') {
      json(response, 200, inspectExecutions(runtime.services.stepFunctions));
      return;
    }
    if (path === '/local/queues') {
      json(response, 200, inspectQueues(runtime.services.sqs));
      return;
    }
    if (path === '/local/topics') {
      json(response, 200, inspectTopics(runtime.services.sns));
      return;
    }
    if (path === '/local/redrive' && method === 'POST') {
      // The deployed redrive function's own request: { executionArn? , dryRun?, maxMessages? }; it validates it.
      // A body that is not a JSON object is refused: `{}` would mean "replay every dead letter".
      const body = await readJsonObject(request, MAX_JSON_BODY_BYTES);
      try {
        json(response, 200, await runtime.lambda.invoke('redrive', body));
      } catch (error) {
        if (!(error instanceof LambdaFunctionError) || error.name !== 'InvalidEvent') throw error;
        json(response, 400, { message: error.errorMessage });
      }
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      json(response, 405, { message: 'Method Not Allowed' });
      return;
    }
    if (path.startsWith('/vendor/')) {
      const file = VENDOR[path.slice('/vendor/'.length)];
      if (file && (await serveFile(response, dirname(file), file.slice(dirname(file).length + 1)))) return;
      json(response, 404, { message: 'Not Found' });
      return;
    }
    if (await serveFile(response, WEB_ROOT, path === '/' ? 'index.html' : path.slice(1))) return;
    json(response, 404, { message: 'Not Found' });
  };
  return (request: IncomingMessage, response: ServerResponse) => {
    route(request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      if (error instanceof LocalRequestRefused) {
        // Whatever of the body is still arriving is read away, so the client gets the answer, not a reset.
        request.resume();
        json(response, error.status, { message: error.message });
        return;
      }
      logger.error('local app request failed', { path: request.url, error });
      json(response, 500, { message: 'Internal Server Error' });
    });
  };
}
