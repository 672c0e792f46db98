/**
 * `util.str` and `util.math`. APPSYNC_JS's `util.str` has `normalize` only: `toUpper`, `toLower`
 * and `toReplace` belong to the VTL `$util.str`, and offering them here would let code pass on
 * the twin that AppSync rejects (use `String.prototype` methods instead).
 * @see https://docs.aws.amazon.com/appsync/latest/devguide/str-helpers-in-util-str-js.html
 * @see https://docs.aws.amazon.com/appsync/latest/devguide/math-helpers-in-util-math-js.html
 */
import type { HostBridge } from './bridge.js';

const NORMALIZATION_FORMS = ['nfc', 'nfd', 'nfkc', 'nfkd'];

/**
 * @example
 * ```ts
 * strUtil.normalize('e\u0301', 'nfc'); // 'é'
 * ```
 */
export const strUtil = {
  normalize(value: string, normalizationType: string): string {
    const form = String(normalizationType).toLowerCase();
    if (!NORMALIZATION_FORMS.includes(form)) throw new RangeError(`Unknown normalization type: ${normalizationType}`);
    return String(value).normalize(form.toUpperCase());
  },
};

export interface MathUtil {
  roundNum(input: number): number;
  minVal(input1: number, input2: number): number;
  maxVal(input1: number, input2: number): number;
  randomDouble(): number;
  randomWithinRange(start: number, end: number): number;
}

/**
 * `util.math` over the bridge's source of randomness.
 * @example
 * ```ts
 * createMathUtil(bridge).roundNum(10.5); // 11
 * ```
 */
export function createMathUtil(bridge: HostBridge): MathUtil {
  return {
    // Java's Math.round: halves go up, toward positive infinity, as Math.round does.
    roundNum: (input) => Math.round(Number(input)),
    minVal: (input1, input2) => Math.min(Number(input1), Number(input2)),
    maxVal: (input1, input2) => Math.max(Number(input1), Number(input2)),
    randomDouble: () => bridge.random(),
    // Both ends are included.
    randomWithinRange(start, end) {
      const low = Math.ceil(Math.min(start, end));
      const high = Math.floor(Math.max(start, end));
      return low + Math.floor(bridge.random() * (high - low + 1));
    },
  };
}
