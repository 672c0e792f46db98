/**
 * A Node client of a `npm start` twin, written the way the README's aws-amplify recipe
 * says: Amplify configured from amplify_outputs.json, USER_PASSWORD_AUTH, `ws` as the
 * WebSocket, and the twin's CA trusted through NODE_EXTRA_CA_CERTS set by whoever starts
 * this process. The first-run suite runs it as a child process (its own CA trust) and
 * reads the one JSON line it prints.
 *
 * Usage: node --import tsx test/first-run/node-client.ts '<ClientRequest JSON>'
 */
import { readFileSync } from 'node:fs';
import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signIn } from 'aws-amplify/auth';
import { generateClient } from 'aws-amplify/api';
import { WebSocket } from 'ws';
import type { StreamEvent } from '../../schema/stream-protocol.js';
import { amplifyConfig } from '../../web/src/amplify-config.js';
import { subscribeToTurn } from '../helpers/chat-stream.js';

export interface ClientRequest {
  outputsPath: string;
  email: string;
  password: string;
  conversationId: string;
  /** When set, a turn is started with it and its stream collected. */
  prompt?: string;
  newConversation?: boolean;
  /** Return this long after the first delta instead of waiting for the turn's end (a turn left running). */
  leaveRunningAfterMs?: number;
  /** When set, cancelChat is called on this request id and its answer reported. */
  cancelRequestId?: string;
}

export interface ClientReport {
  sub: string;
  groups: string[];
  /** Every event the subscriber received, in arrival order (empty when no turn was asked for). */
  received: StreamEvent[];
  /** Why the stream did not finish, if it did not. */
  streamError?: string;
  messages: { role: string; text: string; status: string; costUsd: number | null }[];
  dayUsage: { spentUsd: number; limitUsd: number | null; reservedUsd: number; requests: number };
  /** The started turn's request id. */
  requestId?: string;
  /** cancelChat's answer: its status, or the errorType it was refused with. */
  cancel?: { status?: string; errorType?: string; message?: string };
}

const START_CHAT = /* GraphQL */ `mutation Start($input: StartChatInput!) { startChat(input: $input) { requestId } }`;
const CANCEL_CHAT = /* GraphQL */ `mutation Cancel($requestId: ID!) { cancelChat(requestId: $requestId) { requestId status } }`;
const CONVERSATION = /* GraphQL */ `query One($id: ID!) { conversation(id: $id) { messages { items { role text status costUsd } } } }`;
const MY_USAGE = /* GraphQL */ `query { myUsage { day { spentUsd limitUsd reservedUsd requests } } }`;
/** Long enough for a short simulated answer; a stream that never comes fails sooner than the suite. */
const STREAM_TIMEOUT_IN_MS = 20_000;

async function run(request: ClientRequest): Promise<ClientReport> {
  (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
  Amplify.configure(amplifyConfig(JSON.parse(readFileSync(request.outputsPath, 'utf8')) as Parameters<typeof amplifyConfig>[0]));
  const signedIn = await signIn({ username: request.email, password: request.password, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
  if (!signedIn.isSignedIn) throw new Error(`sign-in stopped at ${signedIn.nextStep.signInStep}`);
  const access = (await fetchAuthSession()).tokens!.accessToken.payload;
  const sub = String(access.sub);
  const client = generateClient();
  const graphql = async <T>(query: string, variables?: Record<string, unknown>) => ((await client.graphql({ query, variables: variables as never })) as { data: T }).data;

  let received: StreamEvent[] = [];
  let streamError: string | undefined;
  let requestId: string | undefined;
  if (request.prompt) {
    const stream = await subscribeToTurn(`/chat/${sub}/${request.conversationId}`);
    ({
      startChat: { requestId },
    } = await graphql<{ startChat: { requestId: string } }>(START_CHAT, {
      input: {
        conversationId: request.conversationId,
        newConversation: request.newConversation,
        modelId: 'sluice.simulator',
        prompt: request.prompt,
        maxTokens: request.leaveRunningAfterMs ? 1000 : 200,
      },
    }));
    if (request.leaveRunningAfterMs) {
      await stream.until((turn) => turn.events.some((event) => event.type === 'delta'), STREAM_TIMEOUT_IN_MS);
      await new Promise((resolve) => setTimeout(resolve, request.leaveRunningAfterMs));
    } else {
      await stream.until((turn) => turn.final !== undefined, STREAM_TIMEOUT_IN_MS).catch((error: Error) => (streamError = error.message));
    }
    received = [...stream.received];
    await stream.close();
  }
  let cancel: ClientReport['cancel'];
  if (request.cancelRequestId) {
    try {
      cancel = { status: (await graphql<{ cancelChat: { status: string } }>(CANCEL_CHAT, { requestId: request.cancelRequestId })).cancelChat.status };
    } catch (failure) {
      const error = (failure as { errors?: { errorType?: string; message?: string }[] }).errors?.[0];
      cancel = { errorType: error?.errorType, message: error?.message };
    }
  }
  const { conversation } = await graphql<{ conversation: { messages: { items: ClientReport['messages'] } } | null }>(CONVERSATION, { id: request.conversationId });
  const { myUsage } = await graphql<{ myUsage: { day: ClientReport['dayUsage'] } }>(MY_USAGE);
  return {
    sub,
    groups: (access['cognito:groups'] as string[] | undefined) ?? [],
    received,
    streamError,
    messages: conversation?.messages.items ?? [],
    dayUsage: myUsage.day,
    ...(requestId ? { requestId } : {}),
    ...(cancel ? { cancel } : {}),
  };
}

run(JSON.parse(process.argv[2] ?? '{}') as ClientRequest).then(
  (report) => {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
