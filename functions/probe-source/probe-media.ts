import { ProbeCommand, type ProbeResult } from '@aws-sdk/client-mediaconvert';
import { mediaConvert } from '../commons/clients/media-convert';
import { isAwsError, SourceRejected } from '../commons/errors';
import { logger } from '../commons/logger';

/**
 * Asks MediaConvert to probe the object in place (no download into the function). MediaConvert answers
 * BadRequest for a file it cannot parse: that is the user's file, not a fault to retry. The uploader is told so in
 * a sentence; MediaConvert's own text (internal paths, decoder output) goes to the operators' log only.
 */
export async function probeMedia(fileUrl: string): Promise<ProbeResult | undefined> {
  try {
    const response = await mediaConvert.send(new ProbeCommand({ InputFiles: [{ FileUrl: fileUrl }] }));
    return response.ProbeResults?.[0];
  } catch (error) {
    if (isAwsError(error, 'BadRequestException')) {
      logger.warn('probe refused the source', { detail: error.message });
      throw new SourceRejected(
        'unreadable',
        'the uploaded file could not be read as a video: it may be damaged, incomplete or in a format that is not supported',
      );
    }
    throw error;
  }
}
