import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/local/paths.js';

const FIXTURE = 'test/fixtures/graphql/rejected/rejected-resolver.ts';

/**
 * The repository's own config block for resolvers/ (the @aws-appsync rules), re-targeted at
 * the fixture. The fixture stays where it is because typed linting needs a file the
 * TypeScript project knows.
 */
async function resolverRulesFor(files: string[]): Promise<Linter.Config> {
  const { default: config } = (await import(pathToFileURL(resolve(REPO_ROOT, 'eslint.config.mjs')).href)) as { default: Linter.Config[] };
  const block = config.find((c) => c.files?.some((f) => String(f).startsWith('resolvers/')));
  if (!block) throw new Error('eslint.config.mjs has no block for resolvers/');
  // A program of the fixture alone gives the type-aware rules what they need in a second,
  // where the config's project service would type-check the whole repository first.
  const program = ts.createProgram({
    rootNames: files.map((f) => resolve(REPO_ROOT, f)),
    options: { strict: true, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2022, noEmit: true, skipLibCheck: true },
  });
  return {
    ...block,
    files,
    languageOptions: { ...block.languageOptions, parserOptions: { programs: [program], projectService: false, project: false } },
  };
}

describe('the resolver lint (npm run lint)', () => {
  it('rejects async functions, try/catch and while loops with the @aws-appsync rules', async () => {
    // Prepare
    const eslint = new ESLint({ cwd: REPO_ROOT, ignore: false, overrideConfig: await resolverRulesFor([FIXTURE]) });
    // Act
    const [result] = await eslint.lintFiles([FIXTURE]);
    // Assess
    const rules = result.messages.filter((m) => m.severity === 2).map((m) => m.ruleId);
    expect(rules).toEqual(expect.arrayContaining(['@aws-appsync/no-async', '@aws-appsync/no-try', '@aws-appsync/no-while']));
  });
});
