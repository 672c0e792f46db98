// The load-time check of APPSYNC_JS code: every construct AppSync documents as unsupported is
// refused with AppSync's CODE_ERROR shape, what it supports passes, and every bundle the
// stack deploys (resolvers, pipeline functions, channel handlers) passes.
import { describe, expect, it } from 'vitest';
import { AppSyncCodeError, appSyncJsCodeErrors, assertAppSyncJsCode } from '../../infra/appsync-code-check.js';
import { bundleManifestCode } from '../../infra/cdk/manifest-code.js';
import { REPO_ROOT } from '../../infra/cdk/gateway-config.js';
import { gateway } from '../../infra/gateway.js';
import { instantiateAppSyncJs } from '../../infra/appsync-js/index.js';

const handler = (body: string) => `export function request(ctx) {\n  ${body}\n}\n`;

describe('the APPSYNC_JS code check', () => {
  it.each([
    ['throw', handler("throw new Error('no');"), 'Throw statements are not supported.'],
    ['try/catch', handler('try { return 1; } catch (e) { return 2; }'), 'Try statements are not supported.'],
    ['try/finally', handler('try { return 1; } finally { ctx.stash.done = true; }'), 'Try statements are not supported.'],
    ['while', handler('while (ctx.args.n) { return 1; }'), 'While statements are not supported.'],
    ['do-while', handler('do { return 1; } while (ctx.args.n);'), 'do...while statements are not supported.'],
    ['for(;;)', handler('for (let i = 0; i < 3; i += 1) { ctx.stash.i = i; }'), 'For statements are not supported.'],
    ['continue', handler('for (const x of ctx.args.xs) { if (x) continue; }'), 'Continue statements are not supported'],
    ['a label', handler('outer: for (const x of ctx.args.xs) { break outer; }'), 'Labeled statements are not supported.'],
    ['in', handler("return 'a' in ctx.args;"), 'in operator is not supported. Use Object.hasOwn().'],
    ['++', handler('let n = 0; n++; return n;'), 'The operator ++ is not supported'],
    ['--', handler('let n = 0; --n; return n;'), 'The operator -- is not supported'],
    ['~', handler('return ~ctx.args.n;'), 'The operator ~ is not supported'],
    ['instanceof', handler('return ctx.args instanceof Object;'), 'The operator instanceof is not supported'],
    ['an async function', 'export async function request(ctx) { return {}; }', 'Async functions are not supported.'],
    ['await', 'export async function request(ctx) { return await ctx.args; }', 'The `await` keyword is not supported'],
    ['a generator', 'export function* request(ctx) { yield 1; }', 'Generator functions are not supported.'],
    ['a class', handler('class A {} return new A();'), 'Class declarations are not supported.'],
    ['this', handler('return this;'), 'This expressions are not supported.'],
    ['a regex literal', handler('return /a+/.test(ctx.args.s);'), 'Regex literals are not supported.'],
    ['a promise', handler('return Promise.resolve(1);'), 'Promises are not supported.'],
  ])('refuses %s with LINT_ERROR and where it is', (_name, code, value) => {
    // Act
    const errors = appSyncJsCodeErrors(code);

    // Assess
    expect(errors).toContainEqual({ errorType: 'LINT_ERROR', value, location: { line: expect.any(Number), column: expect.any(Number), span: expect.any(Number) } });
  });

  it('gives the line, 1-based column and length of the refused node', () => {
    // Act
    const [error] = appSyncJsCodeErrors(handler("throw new Error('no');"));

    // Assess
    expect(error?.location).toEqual({ line: 2, column: 3, span: "throw new Error('no');".length });
  });

  it('reports code that does not parse as a PARSER_ERROR', () => {
    // Act
    const errors = appSyncJsCodeErrors('export function request(ctx) { return {; }');

    // Assess
    expect(errors).toEqual([{ errorType: 'PARSER_ERROR', value: expect.stringMatching(/^Parsing error: /), location: { line: 1, column: expect.any(Number), span: 1 } }]);
  });

  it('accepts what APPSYNC_JS supports: for-of, for-in, switch, break, spread, arrows, typeof, bitwise operators', () => {
    // Prepare
    const code = [
      "import { util } from '@aws-appsync/utils';",
      'export function request(ctx) {',
      '  const out = [];',
      '  for (const x of ctx.args.xs ?? []) { if (x === 3) break; out.push(x); }',
      '  for (const k in ctx.args) { out.push(k); }',
      '  switch (typeof ctx.args.n) { case "number": out.push(ctx.args.n | 1, ctx.args.n << 2, -ctx.args.n, !ctx.args.n); break; default: void 0; }',
      '  const pick = ({ a, ...rest }) => ({ a, rest: [...Object.keys(rest)] });',
      '  return { out, picked: pick(ctx.args), id: util.autoId(), has: Object.hasOwn(ctx.args, "n") };',
      '}',
    ].join('\n');

    // Act
    const errors = appSyncJsCodeErrors(code);

    // Assess
    expect(errors).toEqual([]);
  });

  it('lists every problem of a file at once', () => {
    // Act
    const act = () => assertAppSyncJsCode(handler('let n = 0; while (n < 3) { n++; } throw n;'), 'resolvers/bad.ts');

    // Assess
    expect(act).toThrow(AppSyncCodeError);
    expect(act).toThrow(/^The code contains one or more errors\. resolvers\/bad\.ts:2:14: While .*; resolvers\/bad\.ts:2:30: The operator \+\+ .*; resolvers\/bad\.ts:2:37: Throw /);
  });

  it('is what the twin applies when it loads code, before running any of it', async () => {
    // Act
    const load = instantiateAppSyncJs("ctx.stash.x = 1;\nexport function request(ctx) { let i = 0; i++; return {}; }");

    // Assess
    await expect(load).rejects.toMatchObject({ name: 'BadRequestException', reason: 'CODE_ERROR', detail: { codeErrors: [{ value: 'The operator ++ is not supported' }] } });
  });

  it('passes every bundle the stack deploys: resolvers, pipeline functions and channel handlers', async () => {
    // Act
    const code = await bundleManifestCode(gateway, REPO_ROOT);

    // Assess
    const problems = [...code.bundles].flatMap(([file, bundle]) => appSyncJsCodeErrors(bundle).map((e) => `${file}: ${e.value}`));
    expect(code.bundles.size).toBe(new Set([...gateway.graphql.resolvers.map((r) => r.code), ...gateway.graphql.functions.map((f) => f.code), ...gateway.events.namespaces.flatMap((ns) => (ns.codeHandlers ? [ns.codeHandlers] : []))]).size);
    expect(problems).toEqual([]);
  });
});
