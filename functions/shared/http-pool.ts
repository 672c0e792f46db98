/**
 * The HTTP connection pool of the gateway's AWS SDK clients, sized on purpose. The SDK's
 * default is 50 sockets per client; past that, requests queue ("socket usage at
 * capacity=50 and N additional requests are enqueued"). In Lambda one container serves one
 * invocation at a time, so a turn needs a handful of sockets; on the twin every function
 * and the GraphQL data sources share one process, and a burst of concurrent turns or
 * admin reports would queue behind 50. 256 keep-alive sockets cover the twin's largest
 * tested bursts (100 concurrent turns, each a transaction and a few reads) with room,
 * and stay well under DynamoDB Local's and a Lambda's file-descriptor limits (1,024).
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** Sockets one SDK client keeps open to its service at most. */
export const MAX_SOCKETS_PER_CLIENT = 256;

/**
 * A request handler for an SDK client with a keep-alive pool of `maxSockets`.
 *
 * @example
 * const client = new DynamoDBClient({ requestHandler: pooledRequestHandler() });
 */
export function pooledRequestHandler(maxSockets: number = MAX_SOCKETS_PER_CLIENT): NodeHttpHandler {
  return new NodeHttpHandler({
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
  });
}
