/**
 * How Lambda's Node.js runtime reports an error thrown by a function: Step Functions sees Error = the error's name
 * and Cause = a JSON envelope with errorType, errorMessage and the stack trace. aws-local-stepfunctions puts a thrown
 * error's message in Cause, so a handler wrapped here reaches the ASL exactly as on AWS.
 */
export function lambdaErrorEnvelope(name: string, message: string, stack = ''): string {
  return JSON.stringify({ errorType: name, errorMessage: message, trace: stack.split('\n').filter(Boolean) });
}

export function asLambdaFunction<I, O>(handler: (input: I) => Promise<O>): (input: I) => Promise<O> {
  return async (input) => {
    try {
      return await handler(input);
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      const reported = new Error(lambdaErrorEnvelope(error.name, error.message, error.stack));
      reported.name = error.name;
      throw reported;
    }
  };
}
