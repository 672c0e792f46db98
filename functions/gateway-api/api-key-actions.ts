/**
 * The API key fields the gateway API Lambda serves: a user's own keys (create, list,
 * rename, revoke) and the admins' view of anyone's (list, revoke, audited). The key item
 * never leaves with its hash; the secret leaves once, in createApiKey's answer.
 */
import { createApiKey, listApiKeys, renameApiKey, revokeApiKey, type ApiKeyView } from '../shared/ledger/index.js';
import { actingAdmin } from './admin-actions.js';
import type { Action } from './action-types.js';

/** A key as the schema's ApiKey type. */
function apiKey(view: ApiKeyView) {
  const { keyId, ...fields } = view;
  return { id: keyId, ...fields };
}

const optional = <T>(value: unknown): T | null => (value === null || value === undefined ? null : (value as T));

export const API_KEY_ACTIONS: Record<string, Action> = {
  async createApiKey({ ledger }, { caller, args }) {
    const input = (args.input ?? {}) as Record<string, unknown>;
    const { key, secret } = await createApiKey(ledger, {
      userId: caller.sub,
      username: caller.username,
      name: String(input.name ?? ''),
      expiresAt: optional<string>(input.expiresAt),
      dailyLimitUsd: optional<number>(input.dailyLimitUsd),
    });
    return { result: { key: apiKey(key), secret } };
  },

  async myApiKeys({ ledger }, { caller }) {
    return { result: (await listApiKeys(ledger, caller.sub)).map(apiKey) };
  },

  async renameApiKey({ ledger }, { caller, args }) {
    const renamed = await renameApiKey(ledger, { userId: caller.sub, keyId: String(args.keyId), name: String(args.name) });
    return { result: renamed ? apiKey(renamed) : null };
  },

  async revokeApiKey({ ledger }, { caller, args }) {
    const revoked = await revokeApiKey(ledger, { userId: caller.sub, keyId: String(args.keyId) });
    return { result: revoked ? apiKey(revoked) : null };
  },

  async apiKeys({ ledger }, { args }) {
    return { result: (await listApiKeys(ledger, String(args.userId))).map(apiKey) };
  },

  async adminRevokeApiKey(deps, { caller, args }) {
    const revoked = await revokeApiKey(deps.ledger, { userId: String(args.userId), keyId: String(args.keyId), actor: await actingAdmin(deps, caller) });
    return { result: revoked ? apiKey(revoked) : null };
  },
};
