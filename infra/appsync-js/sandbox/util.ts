/**
 * Assembles `util` for one sandbox from the area files.
 * @see https://docs.aws.amazon.com/appsync/latest/devguide/resolver-util-reference-js.html
 */
import type { HostBridge } from './bridge.js';
import type { Invocation } from './invocation.js';
import { unsupportedArea } from './unsupported.js';
import { createCoreUtil, type CoreUtil } from './util-core.js';
import { dynamodbUtil } from './util-dynamodb.js';
import { createHttpUtil, type HttpUtil } from './util-http.js';
import { createMathUtil, strUtil, type MathUtil } from './util-str-math.js';
import { createTimeUtil, type TimeUtil } from './util-time.js';
import { transformUtil } from './util-transform.js';

export interface Util extends CoreUtil {
  time: TimeUtil;
  dynamodb: typeof dynamodbUtil;
  transform: typeof transformUtil;
  str: typeof strUtil;
  math: MathUtil;
  http: HttpUtil;
  rds: Record<string, unknown>;
  xml: Record<string, unknown>;
}

/**
 * @example
 * ```ts
 * const util = createUtil(bridge, invocation);
 * util.dynamodb.toDynamoDB('foo'); // { S: 'foo' }
 * ```
 */
export function createUtil(bridge: HostBridge, invocation: Invocation): Util {
  return {
    ...createCoreUtil(bridge, invocation),
    time: createTimeUtil(bridge),
    dynamodb: dynamodbUtil,
    transform: transformUtil,
    str: strUtil,
    math: createMathUtil(bridge),
    http: createHttpUtil(invocation),
    rds: unsupportedArea('util.rds'),
    xml: unsupportedArea('util.xml'),
  };
}
