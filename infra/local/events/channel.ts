import type { ChannelNamespace } from '../../gateway.js';
import { CHANNEL_SEGMENT_PATTERN, MAX_CHANNEL_SEGMENTS } from './constants.js';
import { badRequest, type EventsError } from './errors.js';

/** The trailing segment that makes a subscription match deeper channels. */
export const WILDCARD_SEGMENT = '*';

/** A validated channel: `ctx.info.channel` plus its namespace. */
export interface Channel {
  /** Normalised: one leading `/`, no trailing `/`, e.g. `/chat/abc/c1`. */
  path: string;
  segments: string[];
  namespace: ChannelNamespace;
}

/**
 * Validates a channel string against AppSync's rules: 1–5 case-sensitive segments of
 * letters, digits and inner dashes (≤ 50 characters), an optional leading and trailing
 * `/`, a first segment naming an existing namespace, and a trailing `*` only when
 * subscribing. Amplify sends WebSocket channels as written (`default/room`) and HTTP
 * ones with a leading `/`; both normalise to `/default/room`.
 *
 * @example
 * ```ts
 * const channel = parseChannel('chat/abc/c1', gateway.events.namespaces, { allowWildcard: false });
 * if (channel instanceof EventsError) reply(channel);
 * ```
 */
export function parseChannel(raw: unknown, namespaces: readonly ChannelNamespace[], options: { allowWildcard: boolean }): Channel | EventsError {
  if (typeof raw !== 'string' || raw.length === 0) return badRequest('A channel is required.');
  // Longer than five maximal segments cannot be valid; don't echo megabytes back.
  if (raw.length > MAX_CHANNEL_SEGMENTS * 51 + 1) return badRequest('Invalid channel: too long.');
  const trimmed = raw.replace(/^\//, '').replace(/\/$/, '');
  const segments = trimmed.split('/');
  if (segments.length > MAX_CHANNEL_SEGMENTS) {
    return badRequest(`Invalid channel ${raw}: it has ${segments.length} segments; at most ${MAX_CHANNEL_SEGMENTS} are allowed.`);
  }
  for (const [index, segment] of segments.entries()) {
    const isTrailingWildcard = segment === WILDCARD_SEGMENT && index === segments.length - 1 && index > 0;
    if (isTrailingWildcard && !options.allowWildcard) return badRequest(`Invalid channel ${raw}: wildcards are only allowed when subscribing.`);
    if (!isTrailingWildcard && !CHANNEL_SEGMENT_PATTERN.test(segment)) {
      return badRequest(
        `Invalid channel ${raw}: segment "${segment}" must be 1-50 letters, digits or dashes, starting and ending with a letter or digit.`,
      );
    }
  }
  const namespace = namespaces.find((ns) => ns.name === segments[0]);
  if (!namespace) return badRequest(`Invalid channel ${raw}: namespace ${segments[0]} does not exist.`);
  return { path: `/${segments.join('/')}`, segments, namespace };
}

/**
 * True when a published channel is delivered to a subscription: an exact match, or a
 * subscription ending in `*` whose prefix the channel extends by one or more segments
 * (`/ns/a/*` matches `/ns/a/b` and `/ns/a/b/c`, not `/ns/a`).
 *
 * @example
 * ```ts
 * channelMatches(['ns', 'a', '*'], ['ns', 'a', 'b', 'c']); // true
 * ```
 */
export function channelMatches(subscription: readonly string[], published: readonly string[]): boolean {
  const wildcard = subscription[subscription.length - 1] === WILDCARD_SEGMENT;
  const prefixLength = wildcard ? subscription.length - 1 : subscription.length;
  if (wildcard ? published.length <= prefixLength : published.length !== prefixLength) return false;
  for (let i = 0; i < prefixLength; i++) {
    if (subscription[i] !== published[i]) return false;
  }
  return true;
}
