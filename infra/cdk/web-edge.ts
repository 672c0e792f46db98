import { Duration } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type { Construct } from 'constructs';

/**
 * The viewer-request CloudFront Function of the site's default behaviour: a path whose last
 * segment has no extension (`/`, `/c/{id}`, `/admin`, `/admin/users/{id}`) is a client-side
 * route and gets `/index.html`; a path with one (`/amplify_outputs.json`, `/favicon.svg`) is
 * fetched as is, so a missing file stays a 404. The twin's web component applies the same
 * rule (infra/local/web.ts). cloudfront-js-2.0 is ES5.1 plus a few later features: no arrow
 * functions in here.
 */
export const SPA_ROUTES_FUNCTION_CODE = `function handler(event) {
  var request = event.request;
  var name = request.uri.slice(request.uri.lastIndexOf('/') + 1);
  if (name.indexOf('.') === -1) {
    request.uri = '/index.html';
  }
  return request;
}
`;

/** `Cache-Control` of index.html, amplify_outputs.json and the other unhashed files: revalidate every time. */
export const ENTRY_CACHE_CONTROL = 'no-cache';
/** `Cache-Control` of `/assets/*`: Vite puts a content hash in every asset's name. */
export const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** How long browsers keep to HTTPS once they saw the site. */
const HSTS_MAX_AGE = Duration.days(365);

/**
 * The site's Content-Security-Policy: its own files, and connections only to `connectSources`
 * (the AppSync GraphQL and Events endpoints, HTTPS and WebSocket, and Cognito). The same
 * directives as the twin's (infra/local/web.ts), with the cloud's endpoints.
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
 * A response headers policy with the security headers (CSP, HSTS, nosniff, frame denial,
 * referrer policy) and the given `Cache-Control`, which replaces whatever S3 sent.
 */
export function siteHeadersPolicy(scope: Construct, id: string, csp: string, cacheControl: string): cloudfront.ResponseHeadersPolicy {
  return new cloudfront.ResponseHeadersPolicy(scope, id, {
    comment: `Sluice web: security headers, Cache-Control ${cacheControl}`,
    securityHeadersBehavior: {
      contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
      strictTransportSecurity: { accessControlMaxAge: HSTS_MAX_AGE, includeSubdomains: true, override: true },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
      referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.SAME_ORIGIN, override: true },
      // The legacy XSS auditor is gone from browsers and could be abused where it remains; CSP replaces it.
      xssProtection: { protection: false, override: true },
    },
    customHeadersBehavior: { customHeaders: [{ header: 'Cache-Control', value: cacheControl, override: true }] },
  });
}
