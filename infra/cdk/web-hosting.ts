import { Annotations, CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { FunctionUrlOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { LOG_RETENTION } from './defaults.js';
import { ASSET_CACHE_CONTROL, ENTRY_CACHE_CONTROL, SPA_ROUTES_FUNCTION_CODE, contentSecurityPolicy, siteHeadersPolicy } from './web-edge.js';

export interface SluiceWebHostingProps {
  /** Built web app (web/dist), or the placeholder page when it was not built. */
  siteDir: string;
  /** Written to the bucket as `amplify_outputs.json`; may contain tokens. */
  amplifyOutputs: Record<string, unknown>;
  /**
   * Origins the app may connect to, for the CSP `connect-src` (the AppSync endpoints, HTTPS
   * and WSS, and Cognito); may contain tokens.
   */
  connectSources: readonly string[];
  /**
   * Function URLs served under the site's domain (`/v1/*`: the OpenAI-compatible API),
   * uncached, every method and viewer header passed on, with the origin secret header added.
   */
  apiRoutes?: readonly ApiRoute[];
}

export interface ApiRoute {
  pathPattern: string;
  url: lambda.IFunctionUrl;
  originSecret: string;
}

/** The header CloudFront adds on its way to a function URL. */
export const ORIGIN_SECRET_HEADER = 'x-sluice-origin-secret';

/** Access logs are kept this long, then expire. */
const ACCESS_LOG_RETENTION = Duration.days(90);

/**
 * The web app on S3 behind CloudFront: the bucket is private (block public access,
 * SSL only, S3-managed encryption) and read by CloudFront through origin access control;
 * both log to an access-log bucket. The deployment uploads the site plus a generated
 * `amplify_outputs.json` and invalidates the cache.
 *
 * Client-side routes (`/c/{id}`, `/admin`, …) get index.html from a viewer-request
 * CloudFront Function, not from error responses, so a missing file stays a 404.
 * index.html and amplify_outputs.json are never cached (a deploy takes effect at once);
 * the content-hashed `/assets/*` are cached for a year. Every response carries the
 * security headers, with a CSP that allows only the gateway's own endpoints.
 *
 * @example
 * ```ts
 * const web = new SluiceWebHosting(this, 'Web', { siteDir, amplifyOutputs, connectSources: ['https://cognito-idp.us-east-1.amazonaws.com'] });
 * web.distribution.distributionDomainName;
 * ```
 */
export class SluiceWebHosting extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: SluiceWebHostingProps) {
    super(scope, id);
    const logBucket = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      // CloudFront standard logging writes with ACLs.
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: ACCESS_LOG_RETENTION }],
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });
    NagSuppressions.addResourceSuppressions(logBucket, [
      { id: 'AwsSolutions-S1', reason: 'This is the access-log bucket; logging it to itself would loop.' },
    ]);

    this.bucket = new s3.Bucket(this, 'Site', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      serverAccessLogsBucket: logBucket,
      serverAccessLogsPrefix: 's3/',
      // The site is rebuilt from web/ on every deploy; nothing in it is data.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });

    // LIST lets S3 answer a missing key with 404 instead of 403; the routes function never
    // sends CloudFront's origin a bucket-level (listing) request.
    const origin = S3BucketOrigin.withOriginAccessControl(this.bucket, {
      originAccessLevels: [cloudfront.AccessLevel.READ, cloudfront.AccessLevel.LIST],
    });
    const csp = contentSecurityPolicy(props.connectSources);
    const spaRoutes = new cloudfront.Function(this, 'SpaRoutes', {
      code: cloudfront.FunctionCode.fromInline(SPA_ROUTES_FUNCTION_CODE),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'Sluice web: serve index.html for client-side routes (paths without a file extension)',
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        // index.html and amplify_outputs.json change on every deploy and are small.
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        responseHeadersPolicy: siteHeadersPolicy(this, 'EntryHeaders', csp, ENTRY_CACHE_CONTROL),
        functionAssociations: [{ function: spaRoutes, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        ...Object.fromEntries(
          (props.apiRoutes ?? []).map((route) => [
            route.pathPattern,
            {
              origin: new FunctionUrlOrigin(route.url, {
                customHeaders: { [ORIGIN_SECRET_HEADER]: route.originSecret },
                // Between two bytes of a stream; a model's first token comes well within it.
                readTimeout: Duration.seconds(60),
              }),
              viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
              allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
              cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
              // Authorization and the body's headers reach the function; Host stays the function URL's.
              originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            } satisfies cloudfront.BehaviorOptions,
          ]),
        ),
        '/assets/*': {
          origin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
          responseHeadersPolicy: siteHeadersPolicy(this, 'AssetHeaders', csp, ASSET_CACHE_CONTROL),
        },
      },
      enableLogging: true,
      logBucket,
      logFilePrefix: 'cloudfront/',
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
    });
    Annotations.of(this.distribution).acknowledgeWarning(
      '@aws-cdk/aws-cloudfront-origins:listBucketSecurityRisk',
      'defaultRootObject is index.html and SpaRoutes rewrites every extension-less path, / included, so no request lists the bucket.',
    );
    NagSuppressions.addResourceSuppressions(this.distribution, [
      { id: 'AwsSolutions-CFR1', reason: 'The gateway serves users wherever they are; sign-in gates access, not geography.' },
      { id: 'AwsSolutions-CFR2', reason: 'Static assets only; the APIs are AppSync behind Cognito. A WAF web ACL (about $5/month plus requests) is left to the deployer.' },
      {
        id: 'AwsSolutions-CFR4',
        reason: 'The default *.cloudfront.net certificate only negotiates TLSv1; a custom domain with an ACM certificate lifts this and is left to the deployer.',
      },
    ]);

    // Its handler is a per-stack singleton; see cdk-singletons.ts for its nag findings.
    new s3deploy.BucketDeployment(this, 'Deploy', {
      sources: [s3deploy.Source.asset(props.siteDir), s3deploy.Source.jsonData('amplify_outputs.json', props.amplifyOutputs)],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 512,
      logGroup: new logs.LogGroup(this, 'DeployLogs', { retention: LOG_RETENTION, removalPolicy: RemovalPolicy.DESTROY }),
    });
    new CfnOutput(scope, 'WebUrl', { value: `https://${this.distribution.distributionDomainName}` });
    new CfnOutput(scope, 'WebBucketName', { value: this.bucket.bucketName });
  }
}
