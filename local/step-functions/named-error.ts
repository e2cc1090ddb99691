/** An error as Step Functions names it: Error = `name`, Cause = `message`. */
export function namedError(name: string, cause: string): Error {
  const error = new Error(cause);
  error.name = name;
  return error;
}
