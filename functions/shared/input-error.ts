/**
 * Input the caller sent that a function cannot take (an unknown pagination token, a day
 * that does not exist, an id with forbidden characters). It is the caller's mistake, so
 * it reaches the caller as `ValidationError`. A RangeError, so code that checks for one
 * still does.
 *
 * @example
 * if (!isDay(value)) throw new InputError(`from must be YYYY-MM-DD, got ${value}`);
 */
export class InputError extends RangeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InputError';
  }
}
