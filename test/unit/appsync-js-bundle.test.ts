// bundleAppSyncJs: the one bundler both hosts use. It must give AppSync-ready ESM, keep
// `@aws-appsync/*` as imports, inline helpers, rebuild when any input changes, and refuse what
// AppSync would refuse.
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_APPSYNC_JS_CODE_SIZE_IN_CHARS, bundleAppSyncJs } from '../../infra/appsync-bundle.js';

function tempResolver(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bundle-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('bundleAppSyncJs', () => {
  it('gives ESM with the @aws-appsync imports kept and TypeScript compiled away', async () => {
    // Act
    const code = await bundleAppSyncJs('test/fixtures/appsync-js/control-flow.ts');

    // Assess
    expect(code).toMatch(/^import \{[^}]*\} from "@aws-appsync\/utils";/m);
    expect(code).toMatch(/^export \{/m);
    expect(code).not.toMatch(/: Context</);
  });

  it('inlines relative helpers, since APPSYNC_JS loads no modules', async () => {
    // Act
    const code = await bundleAppSyncJs('test/fixtures/appsync-js/imports-helper.ts');

    // Assess
    expect(code).toContain('Hello, ');
    expect(code).not.toContain('./lib/greeting');
  });

  it('adds an inline source map without sources content, as the AppSync docs recommend', async () => {
    // Act
    const code = await bundleAppSyncJs('test/fixtures/appsync-js/imports-helper.ts');

    // Assess
    const map = JSON.parse(Buffer.from(code.split('base64,').pop() ?? '', 'base64').toString()) as { sources: string[]; sourcesContent?: unknown };
    expect(map.sources).toEqual(['test/fixtures/appsync-js/lib/greeting.ts', 'test/fixtures/appsync-js/imports-helper.ts']);
    expect(map.sourcesContent).toBeUndefined();
  });

  it('serves the cache until an imported file changes, then rebuilds', async () => {
    // Prepare
    const dir = tempResolver({
      'resolver.ts': "import { word } from './word.js';\nexport function request() { return word; }\n",
      'word.ts': "export const word = 'first';\n",
    });
    const entry = join(dir, 'resolver.ts');
    const first = await bundleAppSyncJs(entry);

    // Act
    const cached = await bundleAppSyncJs(entry);
    writeFileSync(join(dir, 'word.ts'), "export const word = 'second';\n");
    utimesSync(join(dir, 'word.ts'), new Date(), new Date(Date.now() + 5000));
    const rebuilt = await bundleAppSyncJs(entry);

    // Assess
    expect(cached).toBe(first);
    expect(first).toContain('"first"');
    expect(rebuilt).toContain('"second"');
  });

  it('refuses Node built-ins, which APPSYNC_JS does not have', async () => {
    // Prepare
    const entry = join(tempResolver({ 'resolver.ts': "import { readFileSync } from 'node:fs';\nexport const request = () => readFileSync;\n" }), 'resolver.ts');

    // Act
    const bundle = bundleAppSyncJs(entry);

    // Assess
    await expect(bundle).rejects.toThrow(/Cannot bundle .*resolver\.ts for APPSYNC_JS: .*node:fs/);
  });

  it('refuses a bundle larger than AppSync accepts', async () => {
    // Prepare
    const big = `export function request() { return ${JSON.stringify('x'.repeat(MAX_APPSYNC_JS_CODE_SIZE_IN_CHARS))}; }\n`;
    const entry = join(tempResolver({ 'resolver.ts': big }), 'resolver.ts');

    // Act
    const bundle = bundleAppSyncJs(entry);

    // Assess
    await expect(bundle).rejects.toThrow(RangeError);
  });
});
