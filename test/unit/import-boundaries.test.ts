// The boundaries between the sides (docs/architecture.md) are lint rules: a wrong import
// across any of them fails `npm run lint`. Each case writes one import into a new file of a
// temporary copy of the repository; all are linted at once (the typed resolver rules load
// the TypeScript project once) with the repository's own eslint.config.mjs.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '..', '..');

interface Probe {
  /** The boundary, as docs/architecture.md names it. */
  boundary: string;
  /** The folder the importing file is written to (a new file). */
  dir: string;
  /** The import it holds. */
  from: string;
}

/** Imports across a boundary: each must fail lint. */
const WRONG: Probe[] = [
  { boundary: 'functions/ never imports infra/', dir: 'functions/shared', from: '../../infra/gateway.js' },
  { boundary: 'functions/ never imports infra/ (deeper)', dir: 'functions/shared/ledger', from: '../../../infra/local/twin.js' },
  { boundary: 'no handler imports another handler', dir: 'functions/prompt-intake', from: '../chat-stream/handler.js' },
  { boundary: 'resolvers import only the contract', dir: 'resolvers/graphql/functions', from: '../../../functions/shared/config.js' },
  { boundary: 'resolvers import no package but @aws-appsync/utils', dir: 'resolvers/events', from: 'graphql' },
  { boundary: 'the twin never needs aws-cdk-lib', dir: 'infra/local', from: 'aws-cdk-lib' },
  { boundary: 'the twin never imports the cloud stack', dir: 'infra/local/events', from: '../../cdk/gateway-config.js' },
  { boundary: 'the cloud stack never imports the twin', dir: 'infra/cdk', from: '../local/twin.js' },
  { boundary: 'what both hosts share needs neither host', dir: 'infra/appsync-js', from: '../local/twin.js' },
  { boundary: 'web/ never imports the twin', dir: 'web/src/chat', from: '../../../infra/local/twin.js' },
  { boundary: 'web/ never imports a Lambda function', dir: 'web/src', from: '../../functions/shared/pricing.js' },
  { boundary: 'web/ imports only its libraries', dir: 'web/src', from: 'node:fs' },
  { boundary: 'web/ imports only its libraries (graphql-js comes with aws-amplify, not for the app)', dir: 'web/src/api', from: 'graphql' },
  { boundary: 'the contract has no dependencies (code)', dir: 'schema', from: '../functions/shared/config.js' },
  { boundary: 'the contract has no dependencies (packages)', dir: 'schema', from: 'graphql' },
];

/** The same sides importing what they may: each must pass. */
const RIGHT: Probe[] = [
  { boundary: 'functions/ import the contract', dir: 'functions/shared', from: '../../schema/models.js' },
  { boundary: 'a handler imports the work of another function', dir: 'functions/prompt-intake', from: '../chat-stream/stream-chat-turn.js' },
  { boundary: 'resolvers import the contract', dir: 'resolvers/graphql/functions', from: '../../../schema/input-rules.js' },
  { boundary: 'resolvers import @aws-appsync/utils', dir: 'resolvers/events', from: '@aws-appsync/utils' },
  { boundary: 'the twin imports the manifest and the functions', dir: 'infra/local', from: '../gateway.js' },
  { boundary: 'the cloud stack imports the shared APPSYNC_JS runtime', dir: 'infra/cdk', from: '../appsync-js/runtime.js' },
  { boundary: 'web/ imports the contract', dir: 'web/src/chat', from: '../../../schema/errors.js' },
  { boundary: 'web/ imports its libraries', dir: 'web/src', from: 'aws-amplify' },
  { boundary: 'web/ imports its libraries (typed GraphQL documents)', dir: 'web/src/api', from: 'gql.tada' },
  { boundary: 'the contract imports itself', dir: 'schema', from: './errors.js' },
];

let copy: string;
/** The no-restricted-imports messages, and any other problem, of each probe by its file. */
const linted = new Map<Probe, { restricted: string[]; other: string[] }>();

beforeAll(async () => {
  copy = mkdtempSync(join(tmpdir(), 'sluice-boundaries-'));
  // The tracked files are what lint sees (ignores, tsconfig for the typed resolver rules).
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: REPO, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(REPO, file), join(copy, file));
  }
  symlinkSync(join(REPO, 'node_modules'), join(copy, 'node_modules'), 'dir');
  const probes = [...WRONG, ...RIGHT].map((probe, i) => ({ probe, path: join(copy, probe.dir, `boundary-probe-${i}.ts`) }));
  for (const { probe, path } of probes) writeFileSync(path, `import * as probe from '${probe.from}';\n\nexport const imported = probe;\n`);
  const results = await new ESLint({ cwd: copy }).lintFiles(probes.map((p) => p.path));
  for (const { probe, path } of probes) {
    const messages = results.find((r) => r.filePath === path)?.messages ?? [];
    linted.set(probe, {
      restricted: messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message),
      other: messages.filter((m) => m.ruleId !== 'no-restricted-imports').map((m) => `${m.ruleId}: ${m.message}`),
    });
  }
}, 300_000);

afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
});

describe('npm run lint enforces the boundaries between the sides', () => {
  it.each(WRONG.map((probe) => [probe.boundary, probe] as const))('fails on an import across "%s"', (_, probe) => {
    const { restricted, other } = linted.get(probe)!;
    // Any other problem (a parse error) would make the import "fail" for the wrong reason.
    expect(other).toEqual([]);
    expect(restricted, `${probe.dir} importing ${probe.from}`).toHaveLength(1);
    expect(restricted[0]).toContain(`'${probe.from}' import is restricted`);
  });

  it('passes the imports each side may make', () => {
    const verdicts = Object.fromEntries(RIGHT.map((probe) => [`${probe.boundary}: ${probe.from}`, linted.get(probe)]));
    expect(verdicts).toEqual(Object.fromEntries(RIGHT.map((probe) => [`${probe.boundary}: ${probe.from}`, { restricted: [], other: [] }])));
  });
});
