/**
 * Limits and names of the AppSync Events protocol, each next to its source.
 * @see https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-websocket-protocol.html
 */

/** Path of HTTP publish. */
export const EVENTS_HTTP_PATH = '/event';
/** Path of the WebSocket endpoint (Amplify appends `/realtime` to a custom-domain endpoint). */
export const EVENTS_REALTIME_PATH = '/event/realtime';
/** The subprotocol the server must echo; browsers abort the handshake without one. */
export const EVENTS_SUBPROTOCOL = 'aws-appsync-event-ws';
/** Prefix of the subprotocol carrying the base64url auth object. */
export const AUTH_SUBPROTOCOL_PREFIX = 'header-';

/**
 * Events per publish, over WebSocket and HTTP.
 * @see https://docs.aws.amazon.com/appsync/latest/eventapi/publish-http.html
 */
export const MAX_EVENTS_PER_PUBLISH = 5;
/**
 * Size of one event (its JSON string).
 * @see https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-concepts.html
 */
export const MAX_EVENT_SIZE_IN_BYTES = 240 * 1024;
/**
 * Size of a whole frame or HTTP body: five events at the limit plus their envelope
 * (the 1.2 MB publish payload quota).
 * @see https://docs.aws.amazon.com/general/latest/gr/appsync.html
 */
export const MAX_FRAME_SIZE_IN_BYTES = 1_258_291;
/**
 * Subscriptions one connection may hold.
 * @see https://docs.aws.amazon.com/general/latest/gr/appsync.html
 */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 200;
/**
 * Bytes the twin holds unsent for one connection before it drops the connection as a slow
 * consumer. AWS documents no figure for AppSync Events; 16 events at the 240 KB limit is
 * about 4 MB, far above what a reading client ever has queued, and it keeps a stalled
 * client from growing the twin's memory without end.
 */
export const MAX_BUFFERED_BYTES_PER_CONNECTION = 4 * 1024 * 1024;
/** Close code and reason a slow consumer gets (1008: policy violation). */
export const SLOW_CONSUMER_CLOSE_CODE = 1008;
export const SLOW_CONSUMER_CLOSE_REASON = 'Slow consumer: too many unsent messages';

/** Segments in a channel path, namespace included. */
export const MAX_CHANNEL_SEGMENTS = 5;
/** One channel segment: alphanumerics and inner dashes, at most 50 characters. */
export const CHANNEL_SEGMENT_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,48}[A-Za-z0-9])?$/;
/** Subscription and publish ids. */
export const OPERATION_ID_PATTERN = /^[a-zA-Z0-9-_+]{1,128}$/;

/** `connectionTimeoutMs` of `connection_ack`: the client drops a connection silent for that long. */
export const CONNECTION_TIMEOUT_IN_MS = 300_000;
/** How often the server sends `ka`. */
export const KEEP_ALIVE_INTERVAL_IN_MS = 60_000;
/**
 * How long a connection may last.
 * @see https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-websocket-protocol.html
 */
export const MAX_CONNECTION_DURATION_IN_MS = 24 * 60 * 60 * 1000;

/** Message types a client sends. */
export const ClientMessageType = {
  CONNECTION_INIT: 'connection_init',
  SUBSCRIBE: 'subscribe',
  UNSUBSCRIBE: 'unsubscribe',
  PUBLISH: 'publish',
} as const;
export type ClientMessageType = (typeof ClientMessageType)[keyof typeof ClientMessageType];

/** Error types the twin puts in `errors[].errorType` and `x-amzn-ErrorType`. */
export const EventsErrorType = {
  BAD_REQUEST: 'BadRequestException',
  UNAUTHORIZED: 'UnauthorizedException',
  FORBIDDEN: 'ForbiddenException',
  /** `util.unauthorized()` in `onSubscribe`, as AppSync spells it on subscribe. */
  HANDLER_UNAUTHORIZED: 'Unauthorized',
  SUBSCRIPTION_PROCESSING: 'SubscriptionProcessingError',
  PUBLISH_PROCESSING: 'PublishProcessingError',
  UNKNOWN_OPERATION: 'UnknownOperationError',
  UNSUPPORTED_OPERATION: 'UnsupportedOperation',
  INTERNAL: 'InternalFailure',
} as const;
export type EventsErrorType = (typeof EventsErrorType)[keyof typeof EventsErrorType];
