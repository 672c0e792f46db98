/**
 * The globals the APPSYNC_JS runtime gives resolvers and handlers besides the language's
 * own: `console` (its lines go to CloudWatch Logs). Nothing from Node or the browser.
 *
 * @see https://docs.aws.amazon.com/appsync/latest/devguide/resolver-reference-overview-js.html
 */
declare const console: {
  log(...values: unknown[]): void;
  error(...values: unknown[]): void;
  warn(...values: unknown[]): void;
  info(...values: unknown[]): void;
  debug(...values: unknown[]): void;
};
