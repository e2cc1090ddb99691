import { LambdaFunctionError } from '../../local/runtime/lambda-function-error';

/**
 * Lambda reports a function error to Step Functions as Error = the error's name and Cause = a JSON envelope with
 * errorType, errorMessage and the stack trace; aws-local-stepfunctions puts a thrown error's message in Cause, so a
 * handler wrapped here reaches the ASL exactly as on AWS (the same envelope local mode produces).
 */
export { lambdaErrorEnvelope } from '../../local/runtime/lambda-function-error';

export function asLambdaFunction<I, O>(handler: (input: I) => Promise<O>): (input: I) => Promise<O> {
  return async (input) => {
    try {
      return await handler(input);
    } catch (error) {
      throw error instanceof Error ? new LambdaFunctionError(error) : error;
    }
  };
}
