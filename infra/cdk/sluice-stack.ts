import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Fn, Stack, type StackProps } from 'aws-cdk-lib';
import type { CfnGraphQLApi } from 'aws-cdk-lib/aws-appsync';
import { Construct } from 'constructs';
import type { GatewayManifest } from '../gateway.js';
import { cloudAmplifyOutputs } from './amplify-outputs.js';
import { SluiceAuth, type ThreatProtection } from './auth.js';
import { SluiceEventsApi } from './events-api.js';
import { SluiceFunctions } from './functions.js';
import { SluiceGraphqlApi } from './graphql-api.js';
import { suppressCdkSingletons } from './cdk-singletons.js';
import { assertValidManifest } from './manifest-checks.js';
import type { ManifestCode } from './manifest-code.js';
import { SluiceMonitoring } from './monitoring.js';
import { SluiceSchedules } from './schedules.js';
import { SluiceTables } from './tables.js';
import { SluiceWebHosting } from './web-hosting.js';

/** Served when web/dist was not built, so synth never depends on the web build. */
export const WEB_PLACEHOLDER_DIR = resolve(import.meta.dirname, 'web-placeholder');

export interface SluiceStackProps extends StackProps {
  manifest: GatewayManifest;
  /** Directory the manifest's paths are relative to (the repository root). */
  rootDir: string;
  /** The manifest's APPSYNC_JS files, bundled (see bundleManifestCode). */
  code: ManifestCode;
  /** Bedrock model and inference profile ids the gateway may call. */
  bedrockModelIds: readonly string[];
  /** Cognito groups of the policy config, created beside the manifest's. @default [] */
  policyGroups?: readonly string[];
  /** @default 'ENFORCED' */
  threatProtection?: ThreatProtection;
  /** Alarm notifications go here when set. */
  alarmEmail?: string;
  /** Built web app. @default `<rootDir>/web/dist` if it exists, else a placeholder page */
  webDir?: string;
}

/**
 * The whole gateway in one stack, built from the manifest the twin also reads: Cognito,
 * the AppSync Events and GraphQL APIs, Lambda functions, DynamoDB tables, schedules,
 * monitoring and the hosted web app.
 *
 * @example
 * ```ts
 * const code = await bundleManifestCode(gateway, REPO_ROOT);
 * new SluiceStack(app, 'Sluice', { manifest: gateway, rootDir: REPO_ROOT, code, bedrockModelIds: ['us.amazon.nova-lite-v1:0'] });
 * ```
 */
export class SluiceStack extends Stack {
  readonly auth: SluiceAuth;
  readonly tables: SluiceTables;
  readonly events: SluiceEventsApi;
  readonly graphql: SluiceGraphqlApi;
  readonly functions: SluiceFunctions;

  constructor(scope: Construct, id: string, props: SluiceStackProps) {
    super(scope, id, props);
    const { manifest, rootDir, code } = props;
    assertValidManifest(manifest, rootDir);

    this.auth = new SluiceAuth(this, 'Auth', {
      groups: [...manifest.cognitoGroups, ...(props.policyGroups ?? [])],
      threatProtection: props.threatProtection,
    });
    const userPool = this.auth.userPool;
    this.tables = new SluiceTables(this, 'Tables', { tables: manifest.tables });
    // What CloudFront sends to the function URLs and the functions check: the stack's own UUID,
    // unguessable from outside, with no secret to store or rotate (bearer auth is the real gate).
    const originSecret = Fn.select(2, Fn.split('/', this.stackId));
    this.events = new SluiceEventsApi(this, 'Events', { events: manifest.events, userPool });
    this.graphql = new SluiceGraphqlApi(this, 'Graphql', { graphql: manifest.graphql, rootDir, userPool });
    this.functions = new SluiceFunctions(this, 'Functions', {
      functions: manifest.functions,
      rootDir,
      tables: this.tables,
      eventApi: this.events.api,
      graphqlUrl: this.graphql.api.graphqlUrl,
      bedrockModelIds: props.bedrockModelIds,
      userPool,
      originSecret,
    });
    const wiring = { code, dataSources: manifest.dataSources, functions: this.functions, tables: this.tables };
    this.events.addNamespaces(wiring);
    this.graphql.addResolvers(wiring);
    new SluiceSchedules(this, 'Schedules', { schedules: manifest.schedules ?? [], functions: this.functions });

    new SluiceMonitoring(this, 'Monitoring', {
      functions: this.functions.byName,
      logGroups: [...this.functions.logGroups.values()],
      graphqlApi: this.graphql.api,
      alarmEmail: props.alarmEmail,
    });

    const graphqlApi = this.graphql.api.node.defaultChild as CfnGraphQLApi;
    const builtWeb = resolve(rootDir, 'web', 'dist');
    new SluiceWebHosting(this, 'Web', {
      siteDir: props.webDir ?? (existsSync(builtWeb) ? builtWeb : WEB_PLACEHOLDER_DIR),
      amplifyOutputs: cloudAmplifyOutputs(manifest, {
        region: this.region,
        userPoolId: userPool.userPoolId,
        userPoolClientId: this.auth.webClient.userPoolClientId,
        groups: this.auth.groups,
        graphqlUrl: this.graphql.api.graphqlUrl,
        eventsHttpDns: this.events.api.httpDns,
      }),
      apiRoutes: manifest.functions.flatMap((fn) =>
        (fn.url?.pathPrefixes ?? []).map((prefix) => ({ pathPattern: `${prefix}*`, url: this.functions.urls.get(fn.name)!, originSecret })),
      ),
      // What Amplify connects to: GraphQL and its subscriptions, Events over HTTP and WebSocket, Cognito.
      connectSources: [
        `https://${graphqlApi.attrGraphQlDns}`,
        `wss://${graphqlApi.attrRealtimeDns}`,
        `https://${this.events.api.httpDns}`,
        `wss://${this.events.api.realtimeDns}`,
        `https://cognito-idp.${this.region}.${this.urlSuffix}`,
      ],
    });
    suppressCdkSingletons(this);
  }
}
