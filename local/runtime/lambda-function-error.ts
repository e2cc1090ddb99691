/** The JSON envelope Lambda's Node.js runtime reports for a function error: Step Functions' Cause. */
export function lambdaErrorEnvelope(name: string, message: string, stack = ''): string {
  return JSON.stringify({ errorType: name, errorMessage: message, trace: stack.split('\n').filter(Boolean) });
}

/** A function error as Lambda reports it: Error = the error's name, Cause (the message) = the JSON envelope. */
export class LambdaFunctionError extends Error {
  /** The function's own message (the error's `message` is the whole envelope, as Step Functions sees it). */
  readonly errorMessage: string;

  constructor(original: Error) {
    super(lambdaErrorEnvelope(original.name, original.message, original.stack));
    this.name = original.name;
    this.errorMessage = original.message;
  }
}
