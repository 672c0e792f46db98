import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TwinComponent, TwinContext } from './context.js';

export const COGNITO_PROXY_PATH = '/cognito';

const FORWARDED_HEADERS = ['content-type', 'x-amz-target', 'x-amz-user-agent', 'authorization'];

/**
 * Serves cognito-local at https://<twin>/cognito, so browsers on the twin's HTTPS
 * origin reach it without mixed content, and Amplify's `userPoolEndpoint` has one URL.
 */
export function createCognitoProxy(context: TwinContext): TwinComponent {
  return {
    name: 'cognito-proxy',
    describe: () => [`Cognito (cognito-local)  ${context.url}${COGNITO_PROXY_PATH}  pool ${context.cognito.userPoolId}`],
    async handleRequest(req: IncomingMessage, res: ServerResponse) {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== COGNITO_PROXY_PATH && !path.startsWith(`${COGNITO_PROXY_PATH}/`)) return false;
      res.setHeader('access-control-allow-origin', req.headers.origin ?? '*');
      res.setHeader('access-control-allow-headers', FORWARDED_HEADERS.join(', ') + ', cache-control, amz-sdk-invocation-id, amz-sdk-request');
      res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
      res.setHeader('access-control-expose-headers', 'x-amzn-errortype, x-amzn-requestid');
      if (req.method === 'OPTIONS') {
        res.writeHead(204).end();
        return true;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers: Record<string, string> = {};
      for (const name of FORWARDED_HEADERS) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      try {
        const upstream = await fetch(`${context.cognito.endpoint}${path.slice(COGNITO_PROXY_PATH.length) || '/'}`, {
          method: req.method,
          headers,
          body: req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks),
        });
        const body = Buffer.from(await upstream.arrayBuffer());
        for (const name of ['content-type', 'x-amzn-errortype', 'x-amzn-requestid']) {
          const value = upstream.headers.get(name);
          if (value) res.setHeader(name, value);
        }
        res.writeHead(upstream.status).end(body);
      } catch (error) {
        res.writeHead(502, { 'content-type': 'application/json', 'x-amzn-errortype': 'ServiceUnavailableException' });
        res.end(JSON.stringify({ __type: 'ServiceUnavailableException', message: `cognito-local is not reachable: ${(error as Error).message}` }));
      }
      return true;
    },
  };
}
