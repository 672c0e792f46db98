/**
 * `extensions` (GraphQL only): the twin records each call on the invocation and leaves acting
 * on it (filtering subscriptions, invalidating them, evicting cache) to the GraphQL host.
 * @see https://docs.aws.amazon.com/appsync/latest/devguide/extensions-js.html
 */
import type { Invocation } from './invocation.js';

export interface Extensions {
  setSubscriptionFilter(filter: unknown): void;
  setSubscriptionInvalidationFilter(filter: unknown): void;
  invalidateSubscriptions(invalidation: { subscriptionField: string; payload: unknown }): void;
  evictFromApiCache(typeName: string, fieldName: string, keys: unknown): void;
}

/**
 * @example
 * ```ts
 * createExtensions(invocation).setSubscriptionFilter(util.transform.toSubscriptionFilter({ a: { eq: 1 } }));
 * ```
 */
export function createExtensions(invocation: Invocation): Extensions {
  return {
    setSubscriptionFilter(filter) {
      invocation.extensions.subscriptionFilter = filter;
    },
    setSubscriptionInvalidationFilter(filter) {
      invocation.extensions.subscriptionInvalidationFilter = filter;
    },
    invalidateSubscriptions(invalidation) {
      invocation.extensions.invalidations.push({
        subscriptionField: String(invalidation?.subscriptionField),
        payload: invalidation?.payload,
      });
    },
    evictFromApiCache(typeName, fieldName, keys) {
      invocation.extensions.cacheEvictions.push({ typeName: String(typeName), fieldName: String(fieldName), keys });
    },
  };
}
