/** What an API key may do, per queue. */
export const ApiAction = {
  /** `POST /queues/{queue}/jobs` and `/jobs/batch`. */
  enqueue: 'enqueue',
  /** Job status, queue stats, job listings, schedule reads. */
  read: 'read',
  /** Cancel, retry, and schedule create, pause, resume and delete; implies `read`. */
  admin: 'admin',
} as const;

export type ApiAction = (typeof ApiAction)[keyof typeof ApiAction];

export const API_ACTIONS: readonly ApiAction[] = Object.values(ApiAction);

/** Every queue, in a key's queue list. */
export const ALL_QUEUES = '*';

/** The grants of one API key, as the authorizer passes them to the handlers. */
export interface Grants {
  keyId: string;
  /** Queue names, or `['*']` for every queue. */
  queues: string[];
  actions: ApiAction[];
}

/** Whether `grants` allow `action` on `queue`. `admin` implies `read`. */
export function isAllowed(grants: Grants, queue: string, action: ApiAction): boolean {
  const queueAllowed = grants.queues.includes(ALL_QUEUES) || grants.queues.includes(queue);
  const actionAllowed = grants.actions.includes(action) || (action === ApiAction.read && grants.actions.includes(ApiAction.admin));
  return queueAllowed && actionAllowed;
}

/**
 * The authorizer's context: API Gateway allows only string, number and boolean values in it, so
 * the lists travel as comma-separated strings.
 */
export interface GrantsContext {
  keyId: string;
  queues: string;
  actions: string;
  [key: string]: string;
}

export function encodeGrants(grants: Grants): GrantsContext {
  return { keyId: grants.keyId, queues: grants.queues.join(','), actions: grants.actions.join(',') };
}

/** Decodes an authorizer context; returns undefined when it is missing or malformed. */
export function decodeGrants(context: unknown): Grants | undefined {
  if (typeof context !== 'object' || context === null) {
    return undefined;
  }
  const { keyId, queues, actions } = context as Record<string, unknown>;
  if (typeof keyId !== 'string' || keyId === '' || typeof queues !== 'string' || typeof actions !== 'string') {
    return undefined;
  }
  const actionList = actions.split(',').filter((action): action is ApiAction => (API_ACTIONS as readonly string[]).includes(action));
  return { keyId, queues: queues.split(',').filter(Boolean), actions: actionList };
}
