import { CreateJobCommand, type JobSettings } from '@aws-sdk/client-mediaconvert';
import { mediaConvert } from '../commons/clients/media-convert';

export interface TranscodeJobRequest {
  settings: JobSettings;
  correlationId: string;
  roleArn: string;
  queueArn: string;
  assetId: string;
}

/** Submits the job; ClientRequestToken makes a retried submit return the same job instead of a second one. */
export async function createTranscodeJob(request: TranscodeJobRequest): Promise<string> {
  const response = await mediaConvert.send(
    new CreateJobCommand({
      Role: request.roleArn,
      Queue: request.queueArn,
      Settings: request.settings,
      ClientRequestToken: request.correlationId,
      UserMetadata: { correlationId: request.correlationId },
      StatusUpdateInterval: 'SECONDS_60',
      BillingTagsSource: 'JOB',
      Tags: { application: 'vodflow', assetId: request.assetId },
    }),
  );
  const jobId = response.Job?.Id;
  if (!jobId) {
    throw new Error('MediaConvert accepted the job but returned no job id');
  }
  return jobId;
}
