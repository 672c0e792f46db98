/**
 * Per-user API keys ("virtual keys") for the OpenAI-compatible API. A key acts as its user:
 * it carries no groups or policy of its own, only a name, an optional expiry and an
 * optional daily budget that is smaller than the user's.
 *
 * The secret is shown once, at creation, and stored only as its SHA-256. A secret is 32
 * random bytes (256 bits), so a fast unsalted hash is enough: salting and slow hashes
 * (bcrypt, scrypt) protect low-entropy passwords against guessing, and nobody can guess
 * 2^256 values. The token reads `sk-sluice-<keyId>_<secret>`: the prefix makes a leaked
 * key recognizable to secret scanners, and the key id finds the stored item without a scan.
 *
 * Items (Budgets table):
 * - `USER#<sub>` / `APIKEY#<keyId>`: the key (name, hash, expiry, revocation, budget, its
 *   per-day `D#<day>#used` and the holds `H#<requestId>` of its turns in flight), listed
 *   with one Query on the user's partition;
 * - `APIKEY#<keyId>` / `APIKEY`: which user holds the key id (written with it, never changed).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dayKey, nextDayStart } from '../clock.js';
import { InputError } from '../input-error.js';
import { microsToUsd, usdToMicros } from '../pricing.js';
import { auditPut, type Actor } from './audit.js';
import { checkId, nowFrom, type LedgerDeps } from './tables.js';
import { transactWrite } from './transact.js';

/** What every Sluice key starts with. */
export const API_KEY_PREFIX = 'sk-sluice-';
/** Most keys one user may hold (revoked ones included), so listing stays one small Query. */
export const MAX_API_KEYS_PER_USER = 50;
/** Longest key name. */
export const MAX_API_KEY_NAME_LENGTH = 100;

const KEY_ID_PATTERN = /^[a-z0-9]{16}$/;
const TOKEN_PATTERN = /^sk-sluice-([a-z0-9]{16})_([A-Za-z0-9_-]{43})$/;

const keyItemKey = (userId: string, keyId: string) => ({ pk: `USER#${userId}`, sk: `APIKEY#${keyId}` });
const keyIndexKey = (keyId: string) => ({ pk: `APIKEY#${keyId}`, sk: 'APIKEY' });
const dayUsedAttr = (day: string) => `D#${day}#used`;
/** A turn's hold on the key: its day and amount, so whoever ends the turn can give back exactly it, once. */
const holdAttr = (requestId: string) => `H#${requestId}`;

/** A hold as the key item stores it. */
interface StoredHold {
  d: string;
  w: number;
}

/** Whether `value` is a key id as keys are made (16 lowercase letters and digits). */
export function isKeyId(value: unknown): value is string {
  return typeof value === 'string' && KEY_ID_PATTERN.test(value);
}

/** A key as its owner and admins see it: never the secret, never its hash. */
export interface ApiKeyView {
  keyId: string;
  userId: string;
  name: string;
  /** The start of the token, enough to recognise it. */
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  /** The key's own daily budget, below the user's; null when the user's budget alone applies. */
  dailyLimitUsd: number | null;
  /** Spent plus held today under this key. */
  usedTodayUsd: number;
  active: boolean;
}

/** A key an API request authenticated with. */
export interface AuthenticatedKey {
  keyId: string;
  userId: string;
  username: string;
  dailyLimitMicros: number | null;
}

export type KeyAuthentication = { ok: true; key: AuthenticatedKey } | { ok: false; reason: 'malformed' | 'unknown' | 'revoked' | 'expired' };

/**
 * A key's budget held for one turn, released with the cost when the turn settles. The key
 * item keeps it as `H#<requestId>`, and the turn's reservation names the key, so a turn
 * whose function died gives its hold back when it is ended or swept.
 */
export interface KeyHold {
  userId: string;
  keyId: string;
  requestId: string;
  day: string;
  heldMicros: number;
}

export interface CreateApiKeyInput {
  userId: string;
  username: string;
  name: string;
  /** ISO time in the future. */
  expiresAt?: string | null;
  dailyLimitUsd?: number | null;
}

/** SHA-256 of the whole token, hex. */
export function hashApiKey(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Whether a bearer token has the shape of a Sluice key (else it may be a Cognito token). */
export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX);
}

/**
 * Creates a key; the returned `secret` is the only time the token exists outside the caller.
 * @example
 * const { key, secret } = await createApiKey(deps, { userId: sub, username, name: 'laptop' });
 */
export async function createApiKey(deps: LedgerDeps, input: CreateApiKeyInput): Promise<{ key: ApiKeyView; secret: string }> {
  checkId(input.userId, 'userId');
  const now = nowFrom(deps);
  const problems = [...nameProblems(input.name)];
  const expiresAt = input.expiresAt ?? null;
  if (expiresAt !== null && (Number.isNaN(Date.parse(expiresAt)) || Date.parse(expiresAt) <= now.getTime())) problems.push('expiresAt: must be an ISO time in the future');
  const dailyLimitUsd = input.dailyLimitUsd ?? null;
  if (dailyLimitUsd !== null && !(Number.isFinite(dailyLimitUsd) && dailyLimitUsd > 0 && dailyLimitUsd <= 1_000_000)) problems.push('dailyLimitUsd: must be above 0 and at most 1,000,000');
  if (problems.length > 0) throw new InputError(problems.join('; '));
  const existing = await listApiKeys(deps, input.userId);
  if (existing.length >= MAX_API_KEYS_PER_USER) throw new InputError(`A user may hold at most ${MAX_API_KEYS_PER_USER} keys; delete or revoke old ones first`);

  const keyId = randomKeyId();
  const secret = `${API_KEY_PREFIX}${keyId}_${randomBytes(32).toString('base64url')}`;
  const item = {
    ...keyItemKey(input.userId, keyId),
    keyId,
    userId: input.userId,
    username: input.username,
    name: input.name.trim(),
    secretHash: hashApiKey(secret),
    prefix: `${API_KEY_PREFIX}${keyId}`,
    createdAt: now.toISOString(),
    ...(expiresAt ? { expiresAt: new Date(expiresAt).toISOString() } : {}),
    ...(dailyLimitUsd !== null ? { dailyLimitMicros: usdToMicros(dailyLimitUsd) } : {}),
  };
  const written = await transactWrite(deps, [
    { Put: { TableName: deps.tables.budgets, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
    { Put: { TableName: deps.tables.budgets, Item: { ...keyIndexKey(keyId), userId: input.userId }, ConditionExpression: 'attribute_not_exists(pk)' } },
  ]);
  if (!written.ok) throw new Error('Could not store the new API key; try again');
  return { key: toView(item, now), secret };
}

/** A user's keys, newest first. */
export async function listApiKeys(deps: LedgerDeps, userId: string): Promise<ApiKeyView[]> {
  checkId(userId, 'userId');
  const now = nowFrom(deps);
  const { Items } = await deps.db.send(
    new QueryCommand({
      TableName: deps.tables.budgets,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `USER#${userId}`, ':prefix': 'APIKEY#' },
      ConsistentRead: true,
    }),
  );
  return (Items ?? []).map((item) => toView(item, now)).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** Renames one of the user's keys; undefined when the user holds no such key. */
export async function renameApiKey(deps: LedgerDeps, input: { userId: string; keyId: string; name: string }): Promise<ApiKeyView | undefined> {
  checkId(input.userId, 'userId');
  const problems = nameProblems(input.name);
  if (problems.length > 0) throw new InputError(problems.join('; '));
  if (!KEY_ID_PATTERN.test(input.keyId)) return undefined;
  try {
    const { Attributes } = await deps.db.send(
      new UpdateCommand({
        TableName: deps.tables.budgets,
        Key: keyItemKey(input.userId, input.keyId),
        UpdateExpression: 'SET #name = :name',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#name': 'name' },
        ExpressionAttributeValues: { ':name': input.name.trim() },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toView(Attributes!, nowFrom(deps));
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/**
 * Revokes a key: the next request with it is refused. An admin revoking another user's key
 * (`actor` given) writes the audit entry in the same transaction. Undefined when there is no
 * such key; revoking a revoked key changes nothing and returns it.
 */
export async function revokeApiKey(deps: LedgerDeps, input: { userId: string; keyId: string; actor?: Actor }): Promise<ApiKeyView | undefined> {
  checkId(input.userId, 'userId');
  if (!KEY_ID_PATTERN.test(input.keyId)) return undefined;
  const now = nowFrom(deps);
  const key = keyItemKey(input.userId, input.keyId);
  const { Item } = await deps.db.send(new GetCommand({ TableName: deps.tables.budgets, Key: key, ConsistentRead: true }));
  if (!Item) return undefined;
  if (Item.revokedAt) return toView(Item, now);
  const revokedAt = now.toISOString();
  const revoke = {
    Update: {
      TableName: deps.tables.budgets,
      Key: key,
      UpdateExpression: 'SET revokedAt = :at, revokedBy = :by',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
      ExpressionAttributeValues: { ':at': revokedAt, ':by': input.actor?.userId ?? input.userId },
    },
  };
  const before = toView(Item, now);
  const after = { ...before, revokedAt, active: false };
  const items = input.actor
    ? [revoke, auditPut(deps, { at: revokedAt, action: 'RevokeApiKey', actor: input.actor, targetUserId: input.userId, before: auditView(before), after: auditView(after) })]
    : [revoke];
  const outcome = await transactWrite(deps, items);
  if (!outcome.ok && outcome.busy) throw new Error('The ledger is busy; try again');
  return after;
}

/**
 * Checks a bearer token against the stored keys (two consistent reads: the key id's owner,
 * then the key), so a revocation counts from the next request on.
 */
export async function authenticateApiKey(deps: LedgerDeps, token: string): Promise<KeyAuthentication> {
  const match = TOKEN_PATTERN.exec(token);
  if (!match) return { ok: false, reason: 'malformed' };
  const keyId = match[1]!;
  const index = await deps.db.send(new GetCommand({ TableName: deps.tables.budgets, Key: keyIndexKey(keyId), ConsistentRead: true }));
  const userId = index.Item?.userId as string | undefined;
  if (!userId) return { ok: false, reason: 'unknown' };
  const { Item } = await deps.db.send(new GetCommand({ TableName: deps.tables.budgets, Key: keyItemKey(userId, keyId), ConsistentRead: true }));
  if (!Item) return { ok: false, reason: 'unknown' };
  const stored = Buffer.from(String(Item.secretHash), 'hex');
  const given = Buffer.from(hashApiKey(token), 'hex');
  if (stored.length !== given.length || !timingSafeEqual(stored, given)) return { ok: false, reason: 'unknown' };
  if (Item.revokedAt) return { ok: false, reason: 'revoked' };
  if (Item.expiresAt && Date.parse(String(Item.expiresAt)) <= nowFrom(deps).getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, key: { keyId, userId, username: String(Item.username), dailyLimitMicros: typeof Item.dailyLimitMicros === 'number' ? Item.dailyLimitMicros : null } };
}

export type KeyHoldResult = { ok: true; hold: KeyHold } | { ok: false; code: 'BudgetExceeded' | 'KeyRevoked'; remainingUsd: number; resetsAt: string };

/**
 * Holds a turn's worst case against the key's own daily budget: ONE conditional write on
 * the key item, as admission holds it on the user's budget item, so however many requests
 * race, DynamoDB serialises them and the key's budget is never overspent. The condition
 * also refuses a key revoked since it was authenticated.
 */
export async function holdKeyBudget(deps: LedgerDeps, key: AuthenticatedKey, requestId: string, heldMicros: number, at: Date): Promise<KeyHoldResult> {
  const day = dayKey(at);
  const limit = key.dailyLimitMicros;
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.tables.budgets,
        Key: keyItemKey(key.userId, key.keyId),
        UpdateExpression: 'ADD #used :w SET #hold = :hold',
        ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(revokedAt) AND attribute_not_exists(#hold)${limit === null ? '' : ' AND (attribute_not_exists(#used) OR #used <= :room)'}`,
        ExpressionAttributeNames: { '#used': dayUsedAttr(day), '#hold': holdAttr(requestId) },
        ExpressionAttributeValues: { ':w': heldMicros, ':hold': { d: day, w: heldMicros } satisfies StoredHold, ...(limit === null ? {} : { ':room': limit - heldMicros }) },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { ok: true, hold: { userId: key.userId, keyId: key.keyId, requestId, day, heldMicros } };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const item = (error as ConditionalCheckFailedException & { Item?: Record<string, { N?: string; S?: string }> }).Item;
    const used = Number(item?.[dayUsedAttr(day)]?.N ?? 0);
    const resetsAt = nextDayStart(at).toISOString();
    if (!item || item.revokedAt) return { ok: false, code: 'KeyRevoked', remainingUsd: 0, resetsAt };
    return { ok: false, code: 'BudgetExceeded', remainingUsd: microsToUsd(Math.max(0, (limit ?? 0) - used)), resetsAt };
  }
}

/**
 * Takes a hold back (the turn never ran: the key's caller went away, or its function
 * failed before settling). Conditional on the hold being there, so a second release, or
 * one after the turn settled, changes nothing.
 */
export async function releaseKeyHold(deps: LedgerDeps, hold: KeyHold): Promise<void> {
  try {
    await deps.db.send(new UpdateCommand(keyHoldRelease(deps, hold, 0).Update));
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/**
 * The hold a turn has on a key, as the key item stores it; undefined when there is none
 * (released, settled, or never taken).
 * @example
 * const hold = await readKeyHold(deps, { userId, keyId, requestId });
 */
export async function readKeyHold(deps: LedgerDeps, turn: { userId: string; keyId: string; requestId: string }): Promise<KeyHold | undefined> {
  const { Item } = await deps.db.send(
    new GetCommand({
      TableName: deps.tables.budgets,
      Key: keyItemKey(turn.userId, turn.keyId),
      ProjectionExpression: '#hold',
      ExpressionAttributeNames: { '#hold': holdAttr(turn.requestId) },
      ConsistentRead: true,
    }),
  );
  const stored = Item?.[holdAttr(turn.requestId)] as StoredHold | undefined;
  return stored ? { ...turn, day: stored.d, heldMicros: stored.w } : undefined;
}

/**
 * A transaction's write on the key that gives a hold back with `costMicros` spent in its
 * place (0 when the turn spent nothing): conditional on the hold, so it happens once.
 */
export function keyHoldRelease(deps: LedgerDeps, hold: KeyHold, costMicros: number) {
  return {
    Update: {
      TableName: deps.tables.budgets,
      Key: keyItemKey(hold.userId, hold.keyId),
      UpdateExpression: 'ADD #used :delta REMOVE #hold',
      ConditionExpression: 'attribute_exists(#hold)',
      ExpressionAttributeNames: { '#used': dayUsedAttr(hold.day), '#hold': holdAttr(hold.requestId) },
      ExpressionAttributeValues: { ':delta': costMicros - hold.heldMicros },
    },
  };
}

/** A transaction's write on the key that adds a turn's cost when it holds nothing (its hold was given back first). */
export function keyCostAdded(deps: LedgerDeps, turn: { userId: string; keyId: string; day: string }, costMicros: number) {
  return {
    Update: {
      TableName: deps.tables.budgets,
      Key: keyItemKey(turn.userId, turn.keyId),
      UpdateExpression: 'ADD #used :cost',
      ExpressionAttributeNames: { '#used': dayUsedAttr(turn.day) },
      ExpressionAttributeValues: { ':cost': costMicros },
    },
  };
}

function nameProblems(name: unknown): string[] {
  if (typeof name !== 'string' || name.trim().length === 0 || name.trim().length > MAX_API_KEY_NAME_LENGTH) {
    return [`name: must be 1–${MAX_API_KEY_NAME_LENGTH} characters`];
  }
  return [];
}

function randomKeyId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(16), (byte) => alphabet[byte % alphabet.length]).join('');
}

function toView(item: Record<string, unknown>, now: Date): ApiKeyView {
  const expiresAt = typeof item.expiresAt === 'string' ? item.expiresAt : null;
  const revokedAt = typeof item.revokedAt === 'string' ? item.revokedAt : null;
  const used = item[dayUsedAttr(dayKey(now))];
  return {
    keyId: String(item.keyId),
    userId: String(item.userId),
    name: String(item.name),
    prefix: String(item.prefix),
    createdAt: String(item.createdAt),
    expiresAt,
    revokedAt,
    dailyLimitUsd: typeof item.dailyLimitMicros === 'number' ? microsToUsd(item.dailyLimitMicros) : null,
    usedTodayUsd: typeof used === 'number' ? microsToUsd(Math.max(0, used)) : 0,
    active: revokedAt === null && (expiresAt === null || Date.parse(expiresAt) > now.getTime()),
  };
}

/** What the audit entry keeps of a key. */
function auditView(view: ApiKeyView) {
  return { keyId: view.keyId, name: view.name, prefix: view.prefix, expiresAt: view.expiresAt, revokedAt: view.revokedAt, dailyLimitUsd: view.dailyLimitUsd };
}
