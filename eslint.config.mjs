import appsync from '@aws-appsync/eslint-plugin';
import tseslint from 'typescript-eslint';

/*
 * The boundaries between the sides (docs/architecture.md), as `no-restricted-imports`
 * patterns, so a wrong import fails `npm run lint`. Patterns see the import's text, not the
 * file it resolves to, so each rule is written per folder depth: from a file `depth`
 * folders below the root, `../` repeated `depth` times is the repository root.
 */
const MAX_DEPTH = 6;
const SOURCES = '*.{ts,tsx,mts,js,mjs}';
const up = (times) => `(\\.\\./){${times}}`;

/** The top-level folders a side may import from; anything else at the root is across a boundary. */
function onlyFolders(depth, folders, why) {
  return { regex: `^${up(depth)}(?!(${folders.join('|')})/)`, message: why };
}
/** A folder below the root (`infra/cdk`), reached from inside its parent or from the root. */
function folder(depth, parent, child, why) {
  return [
    { regex: `^${up(depth)}${parent}/${child}(/|$)`, message: why },
    ...(depth > 1 ? [{ regex: `^${up(depth - 1)}${child}(/|$)`, message: why }] : []),
  ];
}

/**
 * One config block per depth below `dir`, each with every pattern `patternsAt(depth)` gives
 * (the rule takes one option list per file, so a side's patterns are given together).
 */
function boundary(dir, patternsAt) {
  const base = dir.split('/').length;
  return Array.from({ length: MAX_DEPTH - base + 1 }, (_, i) => {
    const depth = base + i;
    return {
      files: [`${dir}/${'*/'.repeat(i)}${SOURCES}`],
      rules: {
        'no-restricted-imports': [
          'error',
          { patterns: [{ regex: `^${up(depth + 1)}`, message: 'Reaches outside the repository.' }, ...patternsAt(depth)] },
        ],
      },
    };
  });
}

const cdkPackages = (why) => ({ regex: '^(aws-cdk-lib|constructs|cdk-nag)(/|$)', message: why });
const NOT_ANOTHER_HANDLER = {
  regex: '^\\.\\./(.+/)?handler(\\.js)?$',
  message: "A handler is a Lambda's entry point: import the module that does the work (e.g. chat-stream/stream-chat-turn.ts), not another function's handler.",
};

const BOUNDARIES = [
  // The contract has no dependencies: every side imports it, so it imports nothing.
  ...boundary('schema', (d) => [
    onlyFolders(d, ['schema'], 'The contract (schema/) imports nothing outside itself.'),
    { regex: '^(?!\\.)', message: 'The contract (schema/) has no dependencies: no packages.' },
  ]),
  ...boundary('functions', (d) => [
    onlyFolders(d, ['functions', 'schema'], 'Lambda functions import only functions/ and the contract (schema/): never infra/, web/ or resolvers/.'),
    NOT_ANOTHER_HANDLER,
    cdkPackages('Lambda functions run without the CDK.'),
  ]),
  ...boundary('resolvers', (d) => [
    onlyFolders(d, ['resolvers', 'schema'], 'Resolvers run as APPSYNC_JS: they import only the contract (schema/) and @aws-appsync/utils.'),
    { regex: '^(?!\\.|@aws-appsync/utils$)', message: 'Resolvers run as APPSYNC_JS: the only package they may import is @aws-appsync/utils.' },
  ]),
  ...boundary('web/src', (d) => [
    onlyFolders(d, ['web', 'schema'], 'The web app imports only its own code, the contract (schema/) and its libraries.'),
    { regex: '^(?!\\.|(aws-amplify|react|react-dom|gql\\.tada)(/|$))', message: 'The web app imports only its own code, the contract (schema/) and its libraries (aws-amplify, react, react-dom, gql.tada).' },
  ]),
  // The twin: everything but the cloud stack.
  ...boundary('infra/local', (d) => [...folder(d, 'infra', 'cdk', 'The twin never imports the cloud stack (infra/cdk/).'), cdkPackages('The twin runs without the CDK: what it shares with the stack sits beside both, in infra/.')]),
  // The cloud stack: everything but the twin.
  ...boundary('infra/cdk', (d) => folder(d, 'infra', 'local', 'The cloud stack never imports the twin (infra/local/): what both need sits beside them in infra/.')),
  // What both hosts share (the manifest, the bundlers, the APPSYNC_JS runtime) needs neither host.
  ...boundary('infra/appsync-js', (d) => [
    ...folder(d, 'infra', 'local', 'What both hosts share needs neither: not the twin (infra/local/).'),
    ...folder(d, 'infra', 'cdk', 'What both hosts share needs neither: not the cloud stack (infra/cdk/).'),
    cdkPackages('The twin uses the APPSYNC_JS runtime, and the twin runs without the CDK.'),
  ]),
  {
    files: [`infra/${SOURCES}`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^\\./(local|cdk)/', message: 'What both hosts share (the manifest, the bundlers) needs neither host: not infra/local/ or infra/cdk/.' },
            { regex: '^\\.\\./\\.\\./', message: 'Reaches outside the repository.' },
          ],
        },
      ],
    },
  },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'web/dist/', 'scratch/', '.sluice/', 'test-artifacts/', 'test/fixtures/appsync-js/rejected/**',
    // Type declarations for tsconfig.resolvers.json only (the APPSYNC_JS console); there is no code in it to lint.
    'resolvers/appsync-js-globals.d.ts'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // The same rules AppSync applies to APPSYNC_JS code, so a resolver it would reject fails here first.
    files: ['resolvers/**/*.{ts,js}'],
    ...appsync.configs.recommended,
    languageOptions: {
      ...appsync.configs.recommended.languageOptions,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  // Last, so the blocks above (the resolvers' @aws-appsync rules) come first for tools that look them up.
  ...BOUNDARIES,
);
