/**
 * Checks APPSYNC_JS code the way AppSync checks it when a resolver, pipeline function or
 * channel namespace is created or updated: code that uses syntax the APPSYNC_JS runtime does
 * not support is refused with `BadRequestException`, reason `CODE_ERROR`, and one
 * `codeErrors` entry per problem.
 *
 * Both hosts use it on the very string they deploy or load: the CDK stack on every bundle
 * before synthesis, and the local twin whenever it loads resolver or handler code. The rules
 * are AppSync's documented unsupported statements and operators (`throw` included), plus the
 * syntax-only rules of AWS's APPSYNC_JS lint configuration.
 *
 * @see https://docs.aws.amazon.com/appsync/latest/devguide/supported-features.html
 * @see https://docs.aws.amazon.com/appsync/latest/APIReference/API_CodeError.html
 * @example
 * ```ts
 * assertAppSyncJsCode('export function request(ctx) { while (true) {} }');
 * // throws AppSyncCodeError: BadRequestException, codeErrors[0].value 'While statements are not supported.'
 * ```
 */
import { parse } from 'acorn';

/** `errorType` of a code error, as AppSync names them. */
export const CodeErrorType = {
  /** The code parses but uses something APPSYNC_JS does not support. */
  LINT: 'LINT_ERROR',
  /** The code is not valid JavaScript. */
  PARSER: 'PARSER_ERROR',
} as const;
export type CodeErrorType = (typeof CodeErrorType)[keyof typeof CodeErrorType];

/** Where a problem is in the code: 1-based line and column, and its length in characters. */
export interface CodeErrorLocation {
  line: number;
  column: number;
  span: number;
}

/** One problem, as an entry of AppSync's `codeErrors`. */
export interface CodeError {
  errorType: CodeErrorType;
  value: string;
  location: CodeErrorLocation;
}

/** AppSync's message for code it refuses. */
export const CODE_ERROR_MESSAGE = 'The code contains one or more errors.';

/**
 * Code AppSync would refuse to save: AppSync's `BadRequestException` (HTTP 400) with
 * `reason: 'CODE_ERROR'` and `detail.codeErrors`. The message is AppSync's, followed by the
 * problems so a log line says what to fix.
 */
export class AppSyncCodeError extends Error {
  override readonly name = 'BadRequestException';
  readonly reason = 'CODE_ERROR';
  readonly statusCode = 400;
  readonly detail: { codeErrors: CodeError[] };

  constructor(
    codeErrors: CodeError[],
    /** The file the code came from, for the message only. */
    readonly source = 'code.js',
  ) {
    super(`${CODE_ERROR_MESSAGE} ${codeErrors.map((e) => `${source}:${e.location.line}:${e.location.column}: ${e.value}`).join('; ')}`);
    this.detail = { codeErrors };
  }

  /** The error body as AppSync's API answers it. */
  toJSON(): { message: string; reason: 'CODE_ERROR'; detail: { codeErrors: CodeError[] } } {
    return { message: CODE_ERROR_MESSAGE, reason: this.reason, detail: this.detail };
  }
}

/** A node of acorn's ESTree output, as far as the checker reads it. */
interface SyntaxNode {
  type: string;
  start: number;
  end: number;
  loc?: { start: { line: number; column: number } };
  [key: string]: unknown;
}

/** Node types APPSYNC_JS refuses outright, with the message AppSync's rules give. */
const REFUSED_NODES: Readonly<Record<string, string>> = {
  ThrowStatement: 'Throw statements are not supported.',
  TryStatement: 'Try statements are not supported.',
  WhileStatement: 'While statements are not supported.',
  DoWhileStatement: 'do...while statements are not supported.',
  ForStatement: 'For statements are not supported.',
  ContinueStatement: 'Continue statements are not supported',
  LabeledStatement: 'Labeled statements are not supported.',
  ClassDeclaration: 'Class declarations are not supported.',
  ClassExpression: 'Class declarations are not supported.',
  ThisExpression: 'This expressions are not supported.',
  AwaitExpression: 'The `await` keyword is not supported',
  YieldExpression: 'The `yield` keyword is not supported',
};

/** The refusal for one node, or undefined when APPSYNC_JS accepts it. */
function refusal(node: SyntaxNode): string | undefined {
  const outright = REFUSED_NODES[node.type];
  if (outright) return outright;
  switch (node.type) {
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
      if (node.async) return 'Async functions are not supported.';
      if (node.generator) return 'Generator functions are not supported.';
      return undefined;
    case 'UpdateExpression':
      return `The operator ${String(node.operator)} is not supported`;
    case 'UnaryExpression':
      return node.operator === '~' ? 'The operator ~ is not supported' : undefined;
    case 'BinaryExpression':
      if (node.operator === 'in') return 'in operator is not supported. Use Object.hasOwn().';
      if (node.operator === 'instanceof') return 'The operator instanceof is not supported';
      return undefined;
    case 'Literal':
      return node.regex ? 'Regex literals are not supported.' : undefined;
    case 'NewExpression':
    case 'CallExpression':
      return isPromiseCallee(node.callee) ? 'Promises are not supported.' : undefined;
    default:
      return undefined;
  }
}

/** `Promise`, `Promise.resolve`, `Promise.all`…: APPSYNC_JS has no promises. */
function isPromiseCallee(callee: unknown): boolean {
  const node = callee as SyntaxNode | undefined;
  if (!node) return false;
  if (node.type === 'Identifier') return node.name === 'Promise';
  return node.type === 'MemberExpression' && (node.object as SyntaxNode).type === 'Identifier' && (node.object as SyntaxNode).name === 'Promise';
}

/**
 * Every problem AppSync would report for `code` (an ES module, as AppSync receives it);
 * empty when AppSync accepts it.
 * @example
 * ```ts
 * appSyncJsCodeErrors('export const f = (a) => a++;')[0]?.value; // 'The operator ++ is not supported'
 * ```
 */
export function appSyncJsCodeErrors(code: string): CodeError[] {
  let program: SyntaxNode;
  try {
    program = parse(code, { ecmaVersion: 'latest', sourceType: 'module', locations: true }) as unknown as SyntaxNode;
  } catch (error) {
    const where = (error as { loc?: { line: number; column: number } }).loc ?? { line: 1, column: 0 };
    const message = error instanceof Error ? error.message.replace(/ \(\d+:\d+\)$/, '') : String(error);
    return [{ errorType: CodeErrorType.PARSER, value: `Parsing error: ${message}`, location: { line: where.line, column: where.column + 1, span: 1 } }];
  }
  const errors: CodeError[] = [];
  visit(program, (node) => {
    const value = refusal(node);
    if (value === undefined) return;
    const start = node.loc?.start ?? { line: 1, column: 0 };
    errors.push({ errorType: CodeErrorType.LINT, value, location: { line: start.line, column: start.column + 1, span: node.end - node.start } });
  });
  return errors;
}

/**
 * Throws what AppSync answers when `code` uses syntax APPSYNC_JS does not support.
 * @param source - file name for the message
 * @throws AppSyncCodeError listing every problem
 */
export function assertAppSyncJsCode(code: string, source?: string): void {
  const errors = appSyncJsCodeErrors(code);
  if (errors.length > 0) throw new AppSyncCodeError(errors, source);
}

/** Calls `onNode` for every node of the tree, depth first. */
function visit(node: SyntaxNode, onNode: (node: SyntaxNode) => void): void {
  onNode(node);
  for (const [key, value] of Object.entries(node)) {
    if (key === 'loc') continue;
    if (Array.isArray(value)) {
      for (const child of value) if (isNode(child)) visit(child, onNode);
    } else if (isNode(value)) {
      visit(value, onNode);
    }
  }
}

function isNode(value: unknown): value is SyntaxNode {
  return value !== null && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string';
}
