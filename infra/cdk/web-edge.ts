import { Duration } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type { Construct } from 'constructs';
import { contentSecurityPolicy, FRAME_OPTION, HSTS_MAX_AGE_IN_SECONDS, REFERRER_POLICY } from '../web-security-headers.js';

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
export { contentSecurityPolicy };

/**
 * A response headers policy with the security headers of `securityHeaders()` (CSP, HSTS,
 * nosniff, frame denial, referrer policy, no XSS auditor) and the given `Cache-Control`, which replaces whatever S3 sent.
 */
export function siteHeadersPolicy(scope: Construct, id: string, csp: string, cacheControl: string): cloudfront.ResponseHeadersPolicy {
  return new cloudfront.ResponseHeadersPolicy(scope, id, {
    comment: `Sluice web: security headers, Cache-Control ${cacheControl}`,
    securityHeadersBehavior: {
      contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
      strictTransportSecurity: { accessControlMaxAge: Duration.seconds(HSTS_MAX_AGE_IN_SECONDS), includeSubdomains: true, override: true },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: FRAME_OPTION as cloudfront.HeadersFrameOption, override: true },
      referrerPolicy: { referrerPolicy: REFERRER_POLICY as cloudfront.HeadersReferrerPolicy, override: true },
      xssProtection: { protection: false, override: true },
    },
    customHeadersBehavior: { customHeaders: [{ header: 'Cache-Control', value: cacheControl, override: true }] },
  });
}
