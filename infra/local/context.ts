import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { GatewayManifest } from '../gateway.js';
import type { LocalCognito } from './cognito.js';
import type { LocalLambdaInvoker } from './lambda.js';

/** The IAM identity the twin accepts for SigV4 (the "gateway role" of the cloud). */
export interface LocalIamCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
  /** ARN reported in `ctx.identity.userArn`. */
  userArn: string;
}

/** Everything a twin component needs to know about the running twin. */
export interface TwinContext {
  manifest: GatewayManifest;
  /** Public origin, e.g. https://localhost:8443 */
  url: string;
  /** `host` as clients sign it, e.g. localhost:8443 */
  host: string;
  region: string;
  /** Issued only when the manifest enables API_KEY on an API; Sluice's own manifest does not. */
  apiKey?: string;
  iam: LocalIamCredentials;
  cognito: LocalCognito;
  dynamodb: { endpoint: string; tablePrefix: string; tableName(logicalName: string): string };
  bedrockEndpoint: string;
  lambda: LocalLambdaInvoker;
  caPath: string;
  log(line: string): void;
}

/**
 * One part of the twin (Events, GraphQL, the Cognito proxy, the web app). The server
 * offers each request to the components in order; the first to claim it answers it.
 */
export interface TwinComponent {
  name: string;
  /** Returns true if it handled the request. */
  handleRequest?(req: IncomingMessage, res: ServerResponse): boolean | Promise<boolean>;
  /** Returns true if it took the WebSocket upgrade. */
  handleUpgrade?(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Lines for the start-up banner: what runs where. */
  describe?(): string[];
  close?(): Promise<void>;
}

export type TwinComponentFactory = (context: TwinContext) => TwinComponent | Promise<TwinComponent>;
