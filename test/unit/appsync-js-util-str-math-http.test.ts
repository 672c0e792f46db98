// util.str, util.math and util.http, and the util members the twin deliberately leaves out.
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateResolver, sandboxUtil } from '../helpers/evaluate-resolver.js';

let callUtil: Awaited<ReturnType<typeof sandboxUtil>>;
const randomValues = [0, 0.5, 0.999];

beforeAll(async () => {
  let draw = 0;
  callUtil = await sandboxUtil({ random: () => randomValues[draw++ % randomValues.length] ?? 0 });
});

describe('util.str', () => {
  it.each([
    ['nfc', 'e\u0301', '\u00e9'],
    ['nfd', '\u00e9', 'e\u0301'],
    ['nfkc', '\ufb01', 'fi'],
    ['nfkd', '\u00bd', '1\u20442'],
  ])('normalize(…, %j) applies that Unicode form', (form, input, expected) => {
    // Act
    const result = callUtil('str.normalize', input, form);

    // Assess
    expect(result).toBe(expected);
  });

  it.each(['toUpper', 'toLower', 'toReplace'])('has no %s: it is VTL-only, and AppSync would reject the code', (name) => {
    // Act
    const act = () => callUtil(`str.${name}`, 'x');

    // Assess
    expect(act).toThrow(/is not a function/);
  });
});

describe('util.math', () => {
  it.each([
    ['roundNum', [10.5], 11],
    ['roundNum', [-10.5], -10],
    ['roundNum', [10.49], 10],
    ['minVal', [4, 2.5], 2.5],
    ['maxVal', [4, 2.5], 4],
  ])('%s(%j) is %s', (name, args, expected) => {
    // Act
    const result = callUtil(`math.${name}`, ...args);

    // Assess
    expect(result).toBe(expected);
  });

  it('randomDouble and randomWithinRange draw from the injected source, both ends included', () => {
    // Act
    const doubles = randomValues.map(() => callUtil('math.randomDouble'));
    const integers = randomValues.map(() => callUtil('math.randomWithinRange', 1, 6));

    // Assess
    expect(doubles).toEqual(randomValues);
    expect(integers).toEqual([1, 4, 6]);
  });
});

describe('util.http', () => {
  it('copyHeaders drops transport and AWS headers', () => {
    // Act
    const result = callUtil('http.copyHeaders', { 'x-request-id': 'r1', host: 'example.com', 'X-Amz-Date': 'x', accept: 'text/plain' });

    // Assess
    expect(result).toEqual({ 'x-request-id': 'r1', accept: 'text/plain' });
  });

  it('addResponseHeader refuses the restricted x-amz prefixes', () => {
    // Act
    const act = () => callUtil('http.addResponseHeader', 'x-amzn-RequestId', '1');

    // Assess
    expect(act).toThrow(/restricted/);
  });

  it('addResponseHeader refuses headers beyond 4 KB in total', () => {
    // Act
    const act = () => callUtil('http.addResponseHeader', 'big', 'x'.repeat(4096));

    // Assess
    expect(act).toThrow(/4096 bytes/);
  });

  it('records response headers on the outcome', async () => {
    // Act
    const { outcome } = await evaluateResolver('test/fixtures/appsync-js/extensions-and-http.ts', 'response');

    // Assess
    expect(outcome.responseHeaders).toEqual({ itemsCount: 7 });
  });
});

describe('util members the twin does not implement', () => {
  it.each(['rds.toJsonObject', 'xml.toMap', 'transform.toElasticsearchQueryDSL'])('%s fails with a message saying so', (path) => {
    // Act
    const act = () => callUtil(path, 'x');

    // Assess
    expect(act).toThrow(`util.${path} is not implemented by the Sluice local twin`);
  });

  it.each(['isNull', 'isNullOrEmpty', 'defaultIfNull', 'typeOf', 'parseJson', 'toJson'])('has no %s: it is VTL-only', (name) => {
    // Act
    const act = () => callUtil(name, null);

    // Assess
    expect(act).toThrow(/is not a function/);
  });
});
