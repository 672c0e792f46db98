import { fetchAuthSession, signIn as amplifySignIn, signOut as amplifySignOut } from 'aws-amplify/auth';

/** The signed-in user, as the app needs it. */
export interface Session {
  /** Cognito `sub`: the second segment of the user's chat channels. */
  sub: string;
  email: string;
  groups: string[];
  isAdmin: boolean;
}

/** The Cognito group whose members see the admin view (the API checks it again). */
export const ADMIN_GROUP = 'admins';

/** The current session, or null when nobody is signed in. */
export async function currentSession(): Promise<Session | null> {
  try {
    const { tokens } = await fetchAuthSession();
    if (!tokens?.idToken) return null;
    const claims = tokens.idToken.payload;
    const groups = Array.isArray(claims['cognito:groups']) ? claims['cognito:groups'].map(String) : [];
    return {
      sub: String(claims.sub),
      email: String(claims.email ?? claims['cognito:username'] ?? ''),
      groups,
      isAdmin: groups.includes(ADMIN_GROUP),
    };
  } catch {
    return null;
  }
}

/**
 * Signs in with Cognito. cognito-local (the twin) has no SRP, so there the password flow
 * is used; a deployed pool gets SRP and the password never leaves the browser.
 */
export async function signIn(email: string, password: string, isLocal: boolean): Promise<Session> {
  const result = await amplifySignIn({
    username: email,
    password,
    options: { authFlowType: isLocal ? 'USER_PASSWORD_AUTH' : 'USER_SRP_AUTH' },
  });
  if (!result.isSignedIn) {
    throw new Error(`Sign-in needs a further step (${result.nextStep.signInStep}), which this app does not support yet.`);
  }
  const session = await currentSession();
  if (!session) throw new Error('Signed in, but no session was issued.');
  return session;
}

/** Signs out of this browser. */
export async function signOut(): Promise<void> {
  await amplifySignOut();
}
