import { BEDROCK_ERROR, type BedrockErrorName } from './types.js';

/** Matches one simulator directive; the body is parsed by {@link parseDirectives}. */
const DIRECTIVE_PATTERN = /\[\[sim:([^\]]*)\]\]/g;
const DIRECTIVE_BODY = /^([a-z-]+)(?:=([^@]*))?(?:@(\d+))?$/;
// Above any model's output limit, and small enough that generating the text stays well under a second.
const MAX_ANSWER_IN_TOKENS = 200_000;
const MAX_DELAY_IN_MS = 600_000;

/** Faults a prompt can ask for, with the error each raises (see the table in simulator.ts). */
export const FAULTS = {
  throttle: { error: BEDROCK_ERROR.THROTTLING, message: 'Too many requests, please wait before trying again.' },
  unavailable: { error: BEDROCK_ERROR.SERVICE_UNAVAILABLE, message: 'Bedrock is unable to process your request.' },
  'validation-error': { error: BEDROCK_ERROR.VALIDATION, message: 'The model rejected the request (simulated validation error).' },
  'internal-error': {
    error: BEDROCK_ERROR.INTERNAL_SERVER,
    message: 'The system encountered an unexpected error during processing. Try your request again.',
  },
  'midstream-error': {
    error: BEDROCK_ERROR.MODEL_STREAM_ERROR,
    message: 'The model encountered an error while streaming its response. Try your request again.',
  },
} as const satisfies Record<string, { error: BedrockErrorName; message: string }>;
export type FaultName = keyof typeof FAULTS;

/** One requested fault. */
export interface FaultDirective {
  name: FaultName;
  /** The fault hits attempts 1..attempts of the same prompt; Infinity means every attempt. */
  attempts: number;
  /** Break the stream after this many tokens; undefined refuses the request outright. */
  afterTokens?: number;
}

/** Everything a prompt asked of the simulator. */
export interface Directives {
  faults: FaultDirective[];
  guardrail: boolean;
  tokens?: number;
  slowStartMs?: number;
  tokensPerSecond?: number;
  seed?: string;
}

/** Directives plus the ones that could not be read (the twin answers those with a ValidationException). */
export interface ParsedDirectives {
  directives: Directives;
  problems: string[];
}

/**
 * Reads `[[sim:…]]` directives out of prompt text. Unknown names and bad values are
 * reported, not skipped, so a typo does not quietly turn a fault test into a pass.
 * @example
 * parseDirectives('hi [[sim:throttle=2]] [[sim:tokens=50]]').directives;
 * // { faults: [{ name: 'throttle', attempts: 2 }], guardrail: false, tokens: 50 }
 */
export function parseDirectives(text: string): ParsedDirectives {
  const directives: Directives = { faults: [], guardrail: false };
  const problems: string[] = [];
  for (const [raw, body] of text.matchAll(DIRECTIVE_PATTERN)) {
    const match = DIRECTIVE_BODY.exec(body.trim());
    const problem = match ? apply(directives, match[1], match[2], match[3]) : 'expected [[sim:name]], [[sim:name=value]] or [[sim:name@tokens]]';
    if (problem) problems.push(`${raw}: ${problem}`);
  }
  return { directives, problems };
}

function apply(directives: Directives, name: string, value: string | undefined, after: string | undefined): string | undefined {
  if (name in FAULTS) {
    const attempts = value === undefined ? Infinity : integer(value, 1, Number.MAX_SAFE_INTEGER);
    if (attempts === undefined) return 'the value is the number of attempts to fail, a positive integer';
    const afterTokens = after === undefined ? (name === 'midstream-error' ? 0 : undefined) : Number(after);
    directives.faults.push({ name: name as FaultName, attempts, ...(afterTokens === undefined ? {} : { afterTokens }) });
    return undefined;
  }
  if (after !== undefined) return `@tokens applies only to faults (${Object.keys(FAULTS).join(', ')})`;
  switch (name) {
    case 'guardrail':
      if (value !== undefined) return 'takes no value';
      directives.guardrail = true;
      return undefined;
    case 'tokens':
      directives.tokens = integer(value, 0, MAX_ANSWER_IN_TOKENS);
      return directives.tokens === undefined ? `the value is an answer length in tokens, 0 to ${MAX_ANSWER_IN_TOKENS}` : undefined;
    case 'slow-start':
      directives.slowStartMs = integer(value, 0, MAX_DELAY_IN_MS);
      return directives.slowStartMs === undefined ? `the value is a delay in milliseconds, 0 to ${MAX_DELAY_IN_MS}` : undefined;
    case 'tps': {
      const tps = Number(value);
      if (!(tps > 0 && Number.isFinite(tps))) return 'the value is a positive number of tokens per second';
      directives.tokensPerSecond = tps;
      return undefined;
    }
    case 'seed':
      if (!value) return 'the value is any non-empty text';
      directives.seed = value;
      return undefined;
    default:
      return `unknown directive; known: ${[...Object.keys(FAULTS), 'guardrail', 'tokens', 'slow-start', 'tps', 'seed'].join(', ')}`;
  }
}

function integer(value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return n >= min && n <= max ? n : undefined;
}
