import type { z } from 'zod';

/** Problems reported per payload; one is enough to fix, a few help when a whole object is wrong. */
const MAX_REPORTED_KEYS = 5;

/**
 * Returns why MongoDB cannot store `key` as sent, or undefined when it can. MongoDB reads a leading
 * `$` as an operator and a `.` as a field path. A NUL character ends a BSON key early.
 */
function unsafeKeyReason(key: string): string | undefined {
  if (key.startsWith('$')) {
    return 'must not start with "$", which MongoDB reserves for operators; rename the key';
  }
  if (key.includes('.')) {
    return 'must not contain ".", which MongoDB reads as a field path; rename the key or nest the value';
  }
  if (key.includes('\u0000')) {
    return 'contains a NUL character, which MongoDB does not allow in keys; remove it';
  }
  return undefined;
}

/**
 * Zod refinement that rejects object keys MongoDB would misread (leading `$`, any `.`, NUL) at any
 * depth of a JSON value, with the path of each. Nesting depth is bounded before this runs: request
 * bodies deeper than 64 levels are rejected when they are parsed.
 */
export function rejectUnsafeKeys(value: unknown, context: z.RefinementCtx): void {
  let reported = 0;
  const visit = (node: unknown, path: (string | number)[]): void => {
    if (reported >= MAX_REPORTED_KEYS || typeof node !== 'object' || node === null) {
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((item, index) => visit(item, [...path, index]));
      return;
    }
    for (const [key, child] of Object.entries(node)) {
      const reason = unsafeKeyReason(key);
      if (reason !== undefined && reported < MAX_REPORTED_KEYS) {
        reported += 1;
        context.addIssue({ code: 'custom', path: [...path, key], message: reason, input: undefined });
      }
      visit(child, [...path, key]);
    }
  };
  visit(value, []);
}
