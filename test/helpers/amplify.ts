import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import { WebSocket } from 'ws';
import { amplifyConfig } from '../../web/src/amplify-config.js';
import { DEMO_USERS } from '../../infra/local/cognito.js';
import type { Twin } from '../../infra/local/twin.js';

/** A demo user as the contract suites sign in. */
export type DemoUser = (typeof DEMO_USERS)[number];

/**
 * Configures the process's Amplify singleton for `twin`, the way an app does with
 * `Amplify.configure(outputs)`, and gives Amplify's realtime provider `ws` as its
 * WebSocket (Node has none it accepts). Amplify is a per-process singleton: one
 * configured twin per test file.
 *
 * @example
 * ```ts
 * configureAmplify(twin);
 * ```
 */
export function configureAmplify(twin: Twin): void {
  (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
  Amplify.configure(amplifyConfig(twin.outputs));
}

/**
 * Signs `user` in through Amplify Auth against cognito-local (USER_PASSWORD_AUTH: it
 * has no SRP) and returns its Cognito `sub` and access token.
 *
 * @example
 * ```ts
 * const { sub } = await signInAs(DEMO_USERS[0]);
 * ```
 */
export async function signInAs(user: DemoUser): Promise<{ sub: string; accessToken: string; idToken: string }> {
  await signOut().catch(() => undefined);
  const result = await signIn({ username: user.email, password: user.password, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
  if (!result.isSignedIn) throw new Error(`Sign-in of ${user.email} stopped at ${result.nextStep.signInStep}`);
  const session = await fetchAuthSession();
  const accessToken = session.tokens?.accessToken;
  if (!accessToken?.payload.sub) throw new Error(`No access token after signing in ${user.email}`);
  return { sub: String(accessToken.payload.sub), accessToken: accessToken.toString(), idToken: session.tokens?.idToken?.toString() ?? '' };
}

export { DEMO_USERS };
