// The top-level members of util: ids, encodings, pattern matching and util.authType. Expected
// values come from the AppSync "Built-in utilities" page, the Java libraries it names, and the
// auth types localstack/appsync-utils recorded from AWS (`__tests__/authType.test.js`).
import { decodeTime } from 'ulid';
import { beforeAll, describe, expect, it } from 'vitest';
import { KSUID_EPOCH_IN_SECONDS } from '../../infra/appsync-js/ksuid.js';
import { cognitoIdentity, evaluateResolver, makeContext, sandboxUtil } from '../helpers/evaluate-resolver.js';

const NOW_MS = 1517943695758;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

let callUtil: Awaited<ReturnType<typeof sandboxUtil>>;

beforeAll(async () => {
  callUtil = await sandboxUtil({ clock: () => NOW_MS });
});

describe('util ids', () => {
  it('autoId returns a random version 4 UUID', () => {
    // Act
    const [first, second] = [callUtil('autoId'), callUtil('autoId')];

    // Assess
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(second).not.toBe(first);
  });

  it('autoUlid returns a ULID stamped with the injected clock', () => {
    // Act
    const id = callUtil('autoUlid') as string;

    // Assess
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(decodeTime(id)).toBe(NOW_MS);
  });

  it('autoKsuid returns 27 base62 characters stamped with the injected clock', () => {
    // Act
    const id = callUtil('autoKsuid') as string;

    // Assess
    expect(id).toMatch(/^[0-9A-Za-z]{27}$/);
    const value = [...id].reduce((n, c) => n * 62n + BigInt(BASE62.indexOf(c)), 0n);
    expect(Number(value >> 128n)).toBe(Math.floor(NOW_MS / 1000) - KSUID_EPOCH_IN_SECONDS);
  });
});

describe('util encodings', () => {
  it.each([
    // Java URLEncoder: space is +, only A-Z a-z 0-9 . - * _ stay as they are.
    ['urlEncode', ["a b&c=d/é!'()~*._-"], "a+b%26c%3Dd%2F%C3%A9%21%27%28%29%7E*._-"],
    ['urlDecode', ['a+b%26c%3Dd%2F%C3%A9'], 'a b&c=d/é'],
    // Base64 of the UTF-8 bytes, and back.
    ['base64Encode', ['héllo wörld'], 'aMOpbGxvIHfDtnJsZA=='],
    ['base64Decode', ['aMOpbGxvIHfDtnJsZA=='], 'héllo wörld'],
    // Apache Commons escapeEcmaScript: quotes, backslash and / escaped, non-ASCII as \uXXXX.
    ['escapeJavaScript', ['He said "it\'s" \\ </script>\n\té'], 'He said \\"it\\\'s\\" \\\\ <\\/script>\\n\\t\\u00E9'],
    ['escapeJavaScript', ['😀'], '\\uD83D\\uDE00'],
  ])('%s(%j) follows the Java library AppSync uses', (name, args, expected) => {
    // Act
    const result = callUtil(name, ...args);

    // Assess
    expect(result).toBe(expected);
  });
});

describe('util.matches', () => {
  it.each([
    // Doc: util.matches("a*b", "aaaaab") is true
    ['a*b', 'aaaaab', true],
    // Java's Pattern.matches needs the whole value to match.
    ['a*b', 'aaaaabc', false],
    ['[0-9]{3}', '123', true],
  ])('matches(%j, %j) is %s', (pattern, value, expected) => {
    // Act
    const result = callUtil('matches', pattern, value);

    // Assess
    expect(result).toBe(expected);
  });
});

describe('util.authType', () => {
  const AUTH_TYPE_FIXTURE = 'test/fixtures/appsync-js/util-call.ts';
  const IAM = {
    accountId: '123456789012',
    cognitoIdentityPoolId: null,
    cognitoIdentityId: null,
    sourceIp: ['1.2.3.4'],
    username: 'AKIAIOSFODNN7EXAMPLE',
    userArn: 'arn:aws:iam::123456789012:user/alice',
    cognitoIdentityAuthType: null,
    cognitoIdentityAuthProvider: null,
  };
  const OIDC = { sub: 'sub-1', issuer: 'https://accounts.example.com', claims: { sub: 'sub-1' } };
  const { userArn: _userArn, ...iamWithoutArn } = IAM;
  const { defaultAuthStrategy: _strategy, ...userPoolWithoutStrategy } = cognitoIdentity();

  it.each([
    ['no identity', null, 'API Key Authorization'],
    ['a Lambda authorizer context (GraphQL)', { resolverContext: { userId: 'alice' } }, 'Lambda Authorization'],
    ['a Lambda authorizer context (Events)', { handlerContext: {} }, 'Lambda Authorization'],
    ['an empty identity', {}, 'Lambda Authorization'],
    ['an IAM identity', IAM, 'IAM Authorization'],
    ['a Cognito user pool identity', cognitoIdentity(), 'User Pool Authorization'],
    ['an OIDC identity', OIDC, 'Open ID Connect Authorization'],
    ['an IAM identity missing its user ARN', iamWithoutArn, 'API Key Authorization'],
    ['an IAM identity whose source IP is null', { ...IAM, sourceIp: null }, 'API Key Authorization'],
    ['a user pool identity missing its default auth strategy', userPoolWithoutStrategy, 'API Key Authorization'],
    ['claims alone', { claims: OIDC.claims }, 'API Key Authorization'],
    ['an OIDC identity beside a username', { ...OIDC, username: 'alice' }, 'API Key Authorization'],
  ])('names %s as AWS does', async (_name, identity, expected) => {
    // Prepare
    const ctx = makeContext({ identity, arguments: { path: 'authType', args: [] } });

    // Act
    const { result } = await evaluateResolver(AUTH_TYPE_FIXTURE, 'request', ctx);

    // Assess
    expect(result).toEqual({ result: expected });
  });
});
