import { describe, expect, it } from 'vitest';
import { isValidAwsScalar, type AwsScalarName } from '../../infra/local/graphql/aws-scalars.js';

describe('the AppSync scalars', () => {
  it.each<[AwsScalarName, unknown, boolean]>([
    ['AWSDate', '1970-01-01', true],
    ['AWSDate', '1970-01-01Z', true],
    ['AWSDate', '1970-01-01-07:00', true],
    ['AWSDate', '2024-02-29', true],
    ['AWSDate', '2023-02-29', false],
    ['AWSDate', '1970-1-1', false],
    ['AWSTime', '12:30', true],
    ['AWSTime', '12:30:45.123Z', true],
    ['AWSTime', '24:00', false],
    ['AWSDateTime', '1970-01-01T12:00:00.000Z', true],
    ['AWSDateTime', '1970-01-01T12:00Z', true],
    ['AWSDateTime', '1970-01-01T12:00:00+05:30', true],
    ['AWSDateTime', '1970-01-01T12:00:00', false],
    ['AWSDateTime', '1970-13-01T12:00:00Z', false],
    ['AWSTimestamp', 1_700_000_000, true],
    ['AWSTimestamp', 1.5, false],
    ['AWSTimestamp', '1700000000', false],
    ['AWSEmail', 'alice@example.com', true],
    ['AWSEmail', 'alice@', false],
    ['AWSJSON', '{"a":1}', true],
    ['AWSJSON', '{a:1}', false],
    ['AWSURL', 'https://example.com/path?q=1', true],
    ['AWSURL', 'example.com', false],
    ['AWSPhone', '+1 555 123 4567', true],
    ['AWSPhone', 'call me', false],
    ['AWSIPAddress', '192.168.0.1', true],
    ['AWSIPAddress', '10.0.0.0/8', true],
    ['AWSIPAddress', '::1', true],
    ['AWSIPAddress', '10.0.0.0/33', false],
    ['AWSIPAddress', '300.1.1.1', false],
  ])('%s accepts %j: %s', (name, value, valid) => {
    // Act / Assess
    expect(isValidAwsScalar(name, value)).toBe(valid);
  });
});
