import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { ALL_QUEUES, API_ACTIONS, type ApiAction, type Grants } from './grants';

export const API_KEYS_COLLECTION = 'api_keys';

/** A stored API key. Only the SHA-256 hash of its secret is kept; the secret is shown once, at creation. */
export interface ApiKeyDocument {
  /** Public key id, also the middle part of the key. */
  _id: string;
  name: string;
  /** SHA-256 of the secret, hex. */
  secretHash: string;
  queues: string[];
  actions: ApiAction[];
  createdAt: Date;
  revokedAt: Date | null;
}

/** An API key as listed: everything but the hash. */
export type ApiKeySummary = Omit<ApiKeyDocument, 'secretHash' | '_id'> & { id: string };

/** Keys read `sluice_<16 hex id>_<43 base64url characters of a 256-bit secret>`. */
const KEY_PREFIX = 'sluice_';
const KEY_PATTERN = /^sluice_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const KEY_ID_BYTES = 8;
const SECRET_BYTES = 32;
/** Compared against when the key id is unknown, so an unknown id costs the same work as a wrong secret. */
const UNKNOWN_KEY_HASH = Buffer.alloc(32);

export function apiKeysCollection(db: Db): Collection<ApiKeyDocument> {
  return db.collection<ApiKeyDocument>(API_KEYS_COLLECTION);
}

function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Splits a key into its id and secret; returns undefined when it is not shaped like a Sluice key. */
export function parseApiKey(key: string): { id: string; secret: string } | undefined {
  const match = KEY_PATTERN.exec(key);
  return match ? { id: match[1] as string, secret: match[2] as string } : undefined;
}

export interface NewApiKey {
  name: string;
  queues: string[];
  actions: ApiAction[];
}

/** Throws an Error naming the invalid field of a new key's settings. */
function validateNewKey(settings: NewApiKey): void {
  if (settings.name.trim() === '') {
    throw new Error('API key name is empty; give the key a name that says who uses it');
  }
  if (settings.queues.length === 0) {
    throw new Error(`API key queues are empty; list queue names or ${ALL_QUEUES} for every queue`);
  }
  if (settings.actions.length === 0 || settings.actions.some((action) => !API_ACTIONS.includes(action))) {
    throw new Error(`API key actions ${JSON.stringify(settings.actions)} are invalid; use one or more of ${API_ACTIONS.join(', ')}`);
  }
}

/**
 * Creates an API key and returns it with its secret, which is not stored and cannot be shown
 * again. Throws an Error when the name, queues or actions are invalid.
 */
export async function createApiKey(keys: Collection<ApiKeyDocument>, settings: NewApiKey, now = new Date()): Promise<{ id: string; key: string }> {
  validateNewKey(settings);
  const id = randomBytes(KEY_ID_BYTES).toString('hex');
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  await keys.insertOne({
    _id: id,
    name: settings.name.trim(),
    secretHash: hashSecret(secret).toString('hex'),
    queues: [...new Set(settings.queues)],
    actions: [...new Set(settings.actions)],
    createdAt: now,
    revokedAt: null,
  });
  return { id, key: `${KEY_PREFIX}${id}_${secret}` };
}

/** Revokes a key; returns false when no key has this id. Revoking twice keeps the first time. */
export async function revokeApiKey(keys: Collection<ApiKeyDocument>, id: string, now = new Date()): Promise<boolean> {
  await keys.updateOne({ _id: id, revokedAt: null }, { $set: { revokedAt: now } });
  return (await keys.findOne({ _id: id }, { projection: { _id: 1 } })) !== null;
}

/** Lists every key, revoked ones included, oldest first, without their hashes. */
export async function listApiKeys(keys: Collection<ApiKeyDocument>): Promise<ApiKeySummary[]> {
  const documents = await keys.find({}).sort({ createdAt: 1 }).toArray();
  return documents.map(({ _id, secretHash: _hash, ...rest }) => ({ id: _id, ...rest }));
}

/**
 * Returns the grants of a valid, unrevoked key, or undefined for a malformed, unknown, revoked or
 * wrong key. The secret's hash is compared in constant time.
 */
export async function verifyApiKey(keys: Collection<ApiKeyDocument>, key: string): Promise<Grants | undefined> {
  const parsed = parseApiKey(key);
  if (!parsed) {
    return undefined;
  }
  // Plain `_id` equality: a string id, never an operator object.
  const stored = await keys.findOne({ _id: parsed.id });
  const storedHash = stored && /^[0-9a-f]{64}$/.test(stored.secretHash) ? Buffer.from(stored.secretHash, 'hex') : UNKNOWN_KEY_HASH;
  const matches = timingSafeEqual(hashSecret(parsed.secret), storedHash);
  if (!stored || !matches || stored.revokedAt !== null) {
    return undefined;
  }
  return { keyId: stored._id, queues: stored.queues, actions: stored.actions };
}
