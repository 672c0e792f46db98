import { Amplify } from 'aws-amplify';
import { amplifyConfig, isLocalTwin, type SluiceOutputs } from './amplify-config.js';

/** A demo account the twin seeds; its password is a public demo value. */
export interface DemoUser {
  email: string;
  password: string;
  groups: string[];
}

/** What the app learned from `amplify_outputs.json`. */
export interface AppConfig {
  /** True on the local twin (cognito-local: USER_PASSWORD_AUTH, demo users). */
  isLocal: boolean;
  demoUsers: DemoUser[];
}

/** Where the app reads its configuration: next to index.html, as the twin and CloudFront serve it. */
export const OUTPUTS_PATH = '/amplify_outputs.json';

/**
 * Fetches `amplify_outputs.json` and configures Amplify from it alone.
 *
 * @example
 * ```ts
 * const config = await loadConfig();
 * ```
 */
export async function loadConfig(fetcher: typeof fetch = fetch): Promise<AppConfig> {
  const response = await fetcher(OUTPUTS_PATH, { cache: 'no-store' });
  if (!response.ok) throw new Error(`Could not load ${OUTPUTS_PATH}: HTTP ${response.status}`);
  const outputs = (await response.json()) as SluiceOutputs;
  Amplify.configure(amplifyConfig(outputs));
  return { isLocal: isLocalTwin(outputs), demoUsers: readDemoUsers(outputs) };
}

function readDemoUsers(outputs: SluiceOutputs): DemoUser[] {
  const list = (outputs.custom?.local as { demo_users?: unknown } | undefined)?.demo_users;
  if (!Array.isArray(list)) return [];
  return list.filter(
    (u): u is DemoUser => typeof u === 'object' && u !== null && typeof u.email === 'string' && typeof u.password === 'string',
  ).map((u) => ({ email: u.email, password: u.password, groups: Array.isArray(u.groups) ? u.groups.map(String) : [] }));
}
