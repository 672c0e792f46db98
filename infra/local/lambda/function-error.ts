/** A function error as Lambda reports it (`X-Amz-Function-Error: Unhandled`), or an Invoke API error with its HTTP status. */
export class LambdaFunctionError extends Error {
  constructor(
    readonly functionName: string,
    readonly errorType: string,
    message: string,
    options?: { cause?: unknown; statusCode?: number },
  ) {
    super(message, options);
    this.name = 'LambdaFunctionError';
    this.statusCode = options?.statusCode ?? 200;
  }

  /** The Invoke API's status: 200 for a function error, 4xx/5xx when Lambda refused the call. */
  readonly statusCode: number;
}
