import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SNSClient } from '@aws-sdk/client-sns';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { LocalSeam, routeClientToLocal, type SdkClient } from '../../../local/seam/local-seam';
import type { LocalService } from '../../../local/seam/local-service';
import type { TableDefinition } from '../../../local/services/dynamodb/local-dynamodb';

/**
 * The functions' own module-level clients are built with no configuration, as in Lambda: they take the region and
 * credentials from the environment. These open nothing: every call is answered locally.
 */
Object.assign(process.env, {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'LOCALTEST',
  AWS_SECRET_ACCESS_KEY: 'local-test-secret',
  LOG_LEVEL: 'error',
});

/** A fresh data folder per test; removed by the returned cleanup. */
export function temporaryDataDir(): { dataDir: string; cleanup: () => void } {
  const dataDir = mkdtempSync(join(tmpdir(), 'vodflow-local-data-'));
  return {
    dataDir,
    cleanup: () => {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const clientConfig = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'LOCALTEST', secretAccessKey: 'local-test-secret' },
};

/** Sends `client`'s commands to the local services through the production seam. */
export function wire<T extends SdkClient>(client: T, ...services: LocalService[]): T {
  routeClientToLocal(client, new LocalSeam().register(...services));
  return client;
}

export function localDynamoClients(service: LocalService): {
  client: DynamoDBClient;
  documents: DynamoDBDocumentClient;
} {
  const client = wire(new DynamoDBClient(clientConfig), service);
  const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return { client, documents };
}

// Local queue URLs are not on the SQS endpoint's host; the client must not warn about (or route by) them.
export const localSqsClient = (service: LocalService) =>
  wire(new SQSClient({ ...clientConfig, useQueueUrlAsEndpoint: false }), service);
export const localSnsClient = (service: LocalService) => wire(new SNSClient(clientConfig), service);
export const localSecretsClient = (service: LocalService) => wire(new SecretsManagerClient(clientConfig), service);

/** The stack's two tables, as serverless.yml declares them. */
export const CATALOGUE_TABLE: TableDefinition = {
  name: 'vodflow-test-catalogue',
  partitionKey: 'assetId',
  indexes: [{ name: 'byStatus', partitionKey: 'status', sortKey: 'updatedAt' }],
};
export const TRANSCODE_JOBS_TABLE: TableDefinition = {
  name: 'vodflow-test-transcode-jobs',
  partitionKey: 'correlationId',
  ttlAttribute: 'expiresAt',
};
