/**
 * `util.transform.toSubscriptionFilter`: a filter object to the form AppSync matches
 * subscriptions against — groups OR-ed, filters within a group AND-ed. Every operator of a
 * field, every member of an `or` and every rule is an alternative, so groups multiply out.
 * Behaviour follows the answers localstack/appsync-utils recorded from AWS
 * (`__tests__/transform-subscription.test.js`): `not` is an ordinary field name here, operators
 * pass through unchecked, and groups left empty are dropped.
 * @see https://docs.aws.amazon.com/appsync/latest/devguide/extensions-js.html
 */
import { isPlainObject } from './values.js';

export interface SubscriptionFilterRule {
  fieldName: string;
  operator: string;
  value: unknown;
}

export interface SubscriptionFilter {
  filterGroup: { filters: SubscriptionFilterRule[] }[];
}

type Group = SubscriptionFilterRule[];

/**
 * @param filter - the filter object; anything but an object answers `null`
 * @param ignoredFields - field names dropped at any depth
 * @param rules - alternatives of which at least one must hold, added to every group
 * @example
 * ```ts
 * toSubscriptionFilter({ a: { eq: 1 } }); // { filterGroup: [{ filters: [{ fieldName: 'a', operator: 'eq', value: 1 }] }] }
 * ```
 */
export function toSubscriptionFilter(filter: unknown, ignoredFields: unknown = [], rules?: unknown): SubscriptionFilter | null {
  if (!isPlainObject(filter)) return null;
  const ignored = new Set(Array.isArray(ignoredFields) ? ignoredFields.map(String) : []);
  let groups = alternatives(filter, ignored);
  if (isPlainObject(rules) && Object.keys(rules).length > 0) groups = product(groups, fieldAlternatives(rules, new Set()));
  return { filterGroup: groups.filter((filters) => filters.length > 0).map((filters) => ({ filters })) };
}

/** The groups a filter object stands for: its keys AND-ed, in the order written. */
function alternatives(filter: Record<string, unknown>, ignored: Set<string>): Group[] {
  let groups: Group[] = [[]];
  for (const [key, value] of Object.entries(filter)) {
    if (key === 'and') {
      for (const member of members(value)) groups = product(groups, alternatives(member, ignored));
    } else if (key === 'or') {
      groups = product(groups, members(value).flatMap((member) => alternatives(member, ignored)));
    } else if (!ignored.has(key)) {
      groups = product(groups, fieldAlternatives({ [key]: value }, ignored));
    }
  }
  return groups;
}

/** One single-filter alternative per operator of each field. */
function fieldAlternatives(fields: Record<string, unknown>, ignored: Set<string>): Group[] {
  return Object.entries(fields)
    .filter(([fieldName]) => !ignored.has(fieldName))
    .flatMap(([fieldName, operators]) =>
      Object.entries(isPlainObject(operators) ? operators : {}).map(([operator, value]) => [{ fieldName, operator, value }]),
    );
}

function members(value: unknown): Record<string, unknown>[] {
  const list = Array.isArray(value) ? value : [value];
  return list.filter(isPlainObject);
}

function product(left: Group[], right: Group[]): Group[] {
  return left.flatMap((a) => right.map((b) => [...a, ...b]));
}
