import { LocalServiceError } from '../../seam/local-service';

/** DynamoDB's error for a request it refuses as written (bad expression, wrong key, bad value). */
export function validationError(message: string): LocalServiceError {
  return new LocalServiceError('ValidationException', message);
}

export function resourceNotFound(): LocalServiceError {
  return new LocalServiceError('ResourceNotFoundException', 'Requested resource not found');
}
