import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalRuntime, type LocalRuntime } from '../runtime/local-runtime';
import { PROJECT_ROOT } from '../runtime/project-root';
import { describeAsset, FINAL_STATUSES, getAsset, waitForFinalStatus, type AssetView } from './asset-status';
import { generateClip, SAMPLE_CLIP } from './sample-clip';
import { removeServerLock, runningServer, writeServerLock } from './server-lock';
import { progressBar, say, warn } from './terminal';
import { apiJson, devToken, uploadFile, type ServerInfo } from './upload-client';

// The SDK's notice that its 2027 releases need Node 22: the lockfile pins versions that run on Node 20 (README).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const USAGE = `usage: vodflow <command> [options]

  serve [--port 8450] [--edge-port 8451] [--no-sample]   run local mode: page, API, edge, workflow
  publish <file> [--title T] [--access public|subscriber] upload a video and wait until it is published
  status [assetId]                                       the catalogue and executions, or one asset
  redrive [--all | <executionArn>] [--dry-run]           replay the dead-letter queue, or redrive one execution
  unpublish <assetId>                                    stop an asset being playable (operators)

  --data <dir>   data folder (default .vodflow/data, or VODFLOW_DATA_DIR)`;

const OPERATOR = { user: 'local-operator', entitlements: ['operator', 'uploader', 'subscriber'] };

interface Options {
  dataDir: string;
  port: number;
  edgePort: number;
}

function playerUrl(server: ServerInfo, assetId: string): string {
  return `${server.appUrl}/player.html?asset=${encodeURIComponent(assetId)}`;
}

/** Runs `work` against the running server for this data folder, or against one started for the command. */
async function withServer<T>(options: Options, work: (server: ServerInfo, runtime?: LocalRuntime) => Promise<T>) {
  const running = await runningServer(options.dataDir);
  if (running) return work(running);
  // The same ports as `serve`: the catalogue's playback URLs name the edge's origin, so they must stay valid.
  const runtime = await startLocalRuntime({ dataDir: options.dataDir, port: options.port, edgePort: options.edgePort });
  try {
    return await work(runtime.endpoints, runtime);
  } finally {
    await runtime.close();
  }
}

async function publish(server: ServerInfo, file: string, title?: string, access?: string): Promise<AssetView> {
  const token = await devToken(server, OPERATOR.user, OPERATOR.entitlements);
  const assetId = await uploadFile(server, token, file, {
    ...(title ? { title } : {}),
    ...(access ? { accessLevel: access } : {}),
    onProgress: progressBar('upload   '),
  });
  say(`asset ${assetId}`);
  const transcode = progressBar('transcode');
  let lastStatus = '';
  const asset = await waitForFinalStatus(server, token, assetId, (view) => {
    if (view.status !== lastStatus) {
      lastStatus = view.status;
      if (view.status !== 'TRANSCODING') warn(`status ${view.status}`);
    }
    if (view.status === 'TRANSCODING') transcode((view.progress ?? 0) / 100);
  });
  if (asset.status === 'READY') transcode(1);
  return asset;
}

async function publishSample(options: Options, server: ServerInfo): Promise<void> {
  const marker = join(options.dataDir, 'sample.json');
  if (existsSync(marker)) {
    const { assetId } = JSON.parse(await readFile(marker, 'utf8')) as { assetId: string };
    say(`sample video: ${playerUrl(server, assetId)}`);
    return;
  }
  say('first start: generating a 20 s sample clip with ffmpeg and publishing it...');
  const file = await generateClip(join(options.dataDir, 'samples', 'vodflow-sample.mp4'), SAMPLE_CLIP);
  const asset = await publish(server, file, 'vodflow sample', 'public');
  await writeFile(marker, JSON.stringify({ assetId: asset.assetId }));
  say(describeAsset(asset));
  if (asset.status === 'READY') say(`\nwatch it: ${playerUrl(server, asset.assetId)}`);
}

async function serve(options: Options, sample: boolean): Promise<void> {
  const runtime = await startLocalRuntime({ dataDir: options.dataDir, port: options.port, edgePort: options.edgePort });
  await writeServerLock(options.dataDir, runtime.endpoints);
  say(`vodflow local mode
  page  ${runtime.endpoints.appUrl}/
  api   ${runtime.endpoints.appUrl}/api  (and ${runtime.endpoints.edgeUrl}/api)
  edge  ${runtime.endpoints.edgeUrl}  (signed cookies required)
  data  ${runtime.dataDir}
Ctrl+C stops; executions still running are recorded FAILED and can be redriven after a restart.`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void runtime
      .close()
      .then(() => removeServerLock(options.dataDir))
      .then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (sample) {
    await publishSample(options, runtime.endpoints).catch((error: unknown) => {
      warn(`the sample could not be published: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
}

async function status(options: Options, assetId?: string): Promise<void> {
  await withServer(options, async (server) => {
    const token = await devToken(server, OPERATOR.user, OPERATOR.entitlements);
    if (assetId) {
      say(describeAsset(await getAsset(server, token, assetId)));
      return;
    }
    for (const state of ['AWAITING_UPLOAD', 'INGESTED', 'TRANSCODING', 'READY', 'FAILED', 'REJECTED', 'UNPUBLISHED']) {
      const { items } = await apiJson<{ items: AssetView[] }>(server, `/api/videos?status=${state}&limit=100`, {
        headers: { authorization: `Bearer ${token}` },
      });
      for (const item of items) say(`${item.assetId}  ${item.status}${item.title ? `  "${item.title}"` : ''}`);
    }
    const executions = await apiJson<{ name: string; status: string; redriveCount: number; failedState?: string }[]>(
      server,
      '/local/executions',
    );
    say(`\nexecutions (${String(executions.length)})`);
    for (const execution of executions) {
      const failed = execution.failedState ? ` at ${execution.failedState}` : '';
      say(`  ${execution.name}  ${execution.status}${failed}  redriven ${String(execution.redriveCount)}x`);
    }
    const queues = await apiJson<{ name: string; depth: number; messages: { body: string }[] }[]>(
      server,
      '/local/queues',
    );
    say('\nqueues');
    for (const queue of queues) {
      say(`  ${queue.name}  ${String(queue.depth)} message(s)`);
      for (const message of queue.messages) say(`    ${message.body}`);
    }
    const topics = await apiJson<{ name: string; messages: { message: string }[] }[]>(server, '/local/topics');
    say('\nnotifications (latest 10)');
    for (const topic of topics) {
      for (const notice of topic.messages.slice(-10)) say(`  ${topic.name}  ${notice.message}`);
    }
  });
}

async function redrive(options: Options, target: string | undefined, dryRun: boolean): Promise<void> {
  await withServer(options, async (server, runtime) => {
    const body = { ...(target ? { executionArn: target } : {}), ...(dryRun ? { dryRun: true } : {}) };
    const report = runtime
      ? await runtime.lambda.invoke('redrive', body)
      : await apiJson(server, '/local/redrive', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
    say(JSON.stringify(report, null, 2));
    if (dryRun) return;
    if (runtime) {
      await runtime.idle();
    } else {
      while ((await apiJson<{ status: string }[]>(server, '/local/executions')).some((e) => e.status === 'RUNNING')) {
        await new Promise((resolveWait) => setTimeout(resolveWait, 1000));
      }
    }
    const executions = await apiJson<{ name: string; status: string; redriveCount: number }[]>(
      server,
      '/local/executions',
    );
    for (const execution of executions.filter((e) => e.redriveCount > 0)) {
      say(`${execution.name}  ${execution.status}  redriven ${String(execution.redriveCount)}x`);
    }
  });
}

async function unpublish(options: Options, assetId: string): Promise<void> {
  await withServer(options, async (server) => {
    const token = await devToken(server, OPERATOR.user, OPERATOR.entitlements);
    const result = await apiJson<{ status?: string }>(server, `/api/videos/${encodeURIComponent(assetId)}/unpublish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    say(`${assetId}  ${result.status ?? 'UNPUBLISHED'}`);
  });
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      data: { type: 'string' },
      port: { type: 'string' },
      'edge-port': { type: 'string' },
      'no-sample': { type: 'boolean' },
      title: { type: 'string' },
      access: { type: 'string' },
      all: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, argument] = positionals;
  const port = Number(values.port ?? process.env.VODFLOW_PORT ?? 8450);
  const options: Options = {
    dataDir: resolve(values.data ?? process.env.VODFLOW_DATA_DIR ?? join(PROJECT_ROOT, '.vodflow', 'data')),
    port,
    // Port 0 (any free port) for the app means any free port for the edge too.
    edgePort: Number(values['edge-port'] ?? process.env.VODFLOW_EDGE_PORT ?? (port === 0 ? 0 : port + 1)),
  };
  switch (values.help ? undefined : command) {
    case 'serve':
      await serve(options, values['no-sample'] !== true);
      return -1;
    case 'publish': {
      if (!argument) break;
      const asset = await withServer(options, async (server, runtime) => {
        const published = await publish(server, resolve(argument), values.title, values.access);
        say(describeAsset(published));
        if (published.status === 'READY') {
          say(
            `\nwatch it: ${playerUrl(server, published.assetId)}${runtime ? '  (while `npx vodflow serve` runs)' : ''}`,
          );
        }
        return published;
      });
      return FINAL_STATUSES.has(asset.status) && asset.status === 'READY' ? 0 : 1;
    }
    case 'status':
      await status(options, argument);
      return 0;
    case 'redrive':
      if (!values.all && !argument) break;
      await redrive(options, values.all ? undefined : argument, values['dry-run'] === true);
      return 0;
    case 'unpublish':
      if (!argument) break;
      await unpublish(options, argument);
      return 0;
    default:
      break;
  }
  say(USAGE);
  return values.help ? 0 : 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    warn(`vodflow: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
