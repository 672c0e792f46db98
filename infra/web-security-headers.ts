/**
 * The web app's security headers: one list that the CDK's CloudFront response headers
 * policy and the twin's web server both send, so the app runs under the same rules on a
 * laptop as in the cloud.
 */

/** How long browsers keep to HTTPS once they saw the site (365 days). */
export const HSTS_MAX_AGE_IN_SECONDS = 31_536_000;
/** `X-Frame-Options`: the app is never framed (with CSP `frame-ancestors 'none'`). */
export const FRAME_OPTION = 'DENY';
/** `Referrer-Policy`: other origins learn nothing of the app's URLs. */
export const REFERRER_POLICY = 'same-origin';

/**
 * The site's Content-Security-Policy: its own files, scripts and styles only (no
 * `unsafe-inline`), and connections only to `connectSources` (the AppSync GraphQL and
 * Events endpoints, HTTPS and WebSocket, and Cognito).
 *
 * @example
 * contentSecurityPolicy(['wss://localhost:8443'])
 */
export function contentSecurityPolicy(connectSources: readonly string[]): string {
  return [
    "default-src 'self'",
    `connect-src 'self' ${connectSources.join(' ')}`,
    "img-src 'self' data:",
    "style-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Every security header of a response, by lower-case name, for a policy `csp`.
 *
 * @example
 * res.writeHead(200, { ...securityHeaders(contentSecurityPolicy([`wss://${host}`])), 'content-type': 'text/html' });
 */
export function securityHeaders(csp: string): Record<string, string> {
  return {
    'content-security-policy': csp,
    'strict-transport-security': `max-age=${HSTS_MAX_AGE_IN_SECONDS}; includeSubDomains`,
    'x-content-type-options': 'nosniff',
    'x-frame-options': FRAME_OPTION,
    'referrer-policy': REFERRER_POLICY,
    // The legacy XSS auditor is gone from browsers and could be abused where it remains; CSP replaces it.
    'x-xss-protection': '0',
  };
}
