import { ProbeCommand, type ProbeResult } from '@aws-sdk/client-mediaconvert';
import { mediaConvert } from '../commons/clients/media-convert';
import { isAwsError, SourceRejected } from '../commons/errors';

/**
 * Asks MediaConvert to probe the object in place (no download into the function). MediaConvert answers
 * BadRequest for a file it cannot parse: that is the user's file, not a fault to retry.
 */
export async function probeMedia(fileUrl: string): Promise<ProbeResult | undefined> {
  try {
    const response = await mediaConvert.send(new ProbeCommand({ InputFiles: [{ FileUrl: fileUrl }] }));
    return response.ProbeResults?.[0];
  } catch (error) {
    if (isAwsError(error, 'BadRequestException')) {
      throw new SourceRejected('unreadable', `MediaConvert cannot read the uploaded file: ${error.message}`);
    }
    throw error;
  }
}
