import { isIP } from 'node:net';
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { parseJsonWithin } from '../../../functions/shared/json-limits.js';

/**
 * The scalars AppSync adds to GraphQL, with the formats AppSync validates.
 *
 * @see https://docs.aws.amazon.com/appsync/latest/devguide/scalars.html
 */
export const AWS_SCALAR_NAMES = [
  'AWSDate',
  'AWSTime',
  'AWSDateTime',
  'AWSTimestamp',
  'AWSEmail',
  'AWSJSON',
  'AWSURL',
  'AWSPhone',
  'AWSIPAddress',
] as const;
export type AwsScalarName = (typeof AWS_SCALAR_NAMES)[number];

const OFFSET = '(?:Z|[+-]\\d{2}:\\d{2}(?::\\d{2})?)';
const TIME = '(\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.\\d{1,9})?)?';
const DATE_RE = new RegExp(`^(\\d{4})-(\\d{2})-(\\d{2})${OFFSET}?$`);
const TIME_RE = new RegExp(`^${TIME}${OFFSET}?$`);
// AppSync makes the offset compulsory for AWSDateTime.
const DATE_TIME_RE = new RegExp(`^(\\d{4})-(\\d{2})-(\\d{2})T${TIME}${OFFSET}$`);
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE_RE = /^\+?[0-9][0-9 ()\-.]{3,30}$/;

function validDate(year: string, month: string, day: string): boolean {
  const y = Number(year);
  const m = Number(month);
  const d = Number(day);
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function validTime(hours: string, minutes: string, seconds: string | undefined): boolean {
  return Number(hours) < 24 && Number(minutes) < 60 && (seconds === undefined || Number(seconds) < 60);
}

/** True when `value` is a valid AppSync value of the scalar (as a plain JSON value). */
export function isValidAwsScalar(name: AwsScalarName, value: unknown): boolean {
  if (name === 'AWSTimestamp') return typeof value === 'number' && Number.isSafeInteger(value);
  if (name === 'AWSJSON') return typeof value === 'string' && parsesAsJson(value);
  if (typeof value !== 'string') return false;
  switch (name) {
    case 'AWSDate': {
      const m = DATE_RE.exec(value);
      return Boolean(m && validDate(m[1], m[2], m[3]));
    }
    case 'AWSTime': {
      const m = TIME_RE.exec(value);
      return Boolean(m && validTime(m[1], m[2], m[3]));
    }
    case 'AWSDateTime': {
      const m = DATE_TIME_RE.exec(value);
      return Boolean(m && validDate(m[1], m[2], m[3]) && validTime(m[4], m[5], m[6]));
    }
    case 'AWSEmail':
      return EMAIL_RE.test(value);
    case 'AWSURL':
      return isUrl(value);
    case 'AWSPhone':
      return PHONE_RE.test(value) && (value.match(/\d/g) ?? []).length >= 4;
    case 'AWSIPAddress':
      return isIpOrCidr(value);
  }
}

function parsesAsJson(text: string): boolean {
  try {
    // A value nesting past the limit is invalid here, before any resolver has to serialise it.
    parseJsonWithin(text);
    return true;
  } catch {
    return false;
  }
}

function isUrl(text: string): boolean {
  try {
    // AppSync wants a scheme and an authority ("scheme://host..."), as java.net.URL does.
    return /^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(text) && Boolean(new URL(text));
  } catch {
    return false;
  }
}

function isIpOrCidr(text: string): boolean {
  const [address, prefix, ...rest] = text.split('/');
  const version = isIP(address);
  if (!version || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

function literalValue(ast: ValueNode): unknown {
  switch (ast.kind) {
    case Kind.STRING:
      return ast.value;
    case Kind.INT:
      return Number(ast.value);
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.BOOLEAN:
      return ast.value;
    default:
      return undefined;
  }
}

function invalid(name: string, value: unknown): GraphQLError {
  return new GraphQLError(`Invalid ${name} value: ${JSON.stringify(value) ?? String(value)}`);
}

function scalar(name: AwsScalarName): GraphQLScalarType {
  const check = (value: unknown) => {
    if (!isValidAwsScalar(name, value)) throw invalid(name, value);
    return value;
  };
  return new GraphQLScalarType({
    name,
    serialize: (value) => {
      // Resolvers hand AWSJSON back as objects; AppSync sends them as JSON text.
      if (name === 'AWSJSON') return typeof value === 'string' ? value : JSON.stringify(value);
      return check(value);
    },
    parseValue: check,
    parseLiteral: (ast) => check(literalValue(ast)),
  });
}

/**
 * GraphQL scalar implementations for every AppSync scalar, by name.
 *
 * @example
 * ```ts
 * const schema = buildSchema(sdl);
 * Object.assign(schema.getType('AWSDate')!, AWS_SCALARS.AWSDate.toConfig());
 * ```
 */
export const AWS_SCALARS: Record<AwsScalarName, GraphQLScalarType> = Object.fromEntries(
  AWS_SCALAR_NAMES.map((name) => [name, scalar(name)]),
) as Record<AwsScalarName, GraphQLScalarType>;
