import { LocalServiceError } from '../../seam/local-service';

export function invalidParameterValue(message: string): LocalServiceError {
  return new LocalServiceError('InvalidParameterValue', message);
}

export function missingParameter(name: string): LocalServiceError {
  return new LocalServiceError('MissingParameter', `The request must contain the parameter ${name}.`);
}

export function queueDoesNotExist(): LocalServiceError {
  return new LocalServiceError('QueueDoesNotExist', 'The specified queue does not exist.');
}
