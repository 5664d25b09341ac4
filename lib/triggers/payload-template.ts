import { MalformedEventError } from './errors';

/** Key of a template placeholder: `{ "$path": "detail.order.id" }`. */
export const PATH_PLACEHOLDER = '$path';

function isPlaceholder(value: unknown): value is { [PATH_PLACEHOLDER]: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    typeof (value as Record<string, unknown>)[PATH_PLACEHOLDER] === 'string'
  );
}

/**
 * Returns the value at a dotted path (`detail.items.0.sku`; numeric parts index arrays); an
 * empty path returns the whole document. Throws {@link MalformedEventError} naming the path when
 * a part is missing.
 */
export function selectPath(document: unknown, path: string): unknown {
  if (path === '') {
    return document;
  }
  let current: unknown = document;
  for (const part of path.split('.')) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, part)) {
      throw new MalformedEventError(`the event has no field "${path}" (missing at "${part}")`);
    }
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/**
 * Builds a payload from a template: every `{ "$path": "<dotted path>" }` is replaced by that value
 * of the event record, and everything else is copied as it is.
 */
export function renderPayload(template: unknown, document: unknown): unknown {
  if (isPlaceholder(template)) {
    return selectPath(document, template[PATH_PLACEHOLDER]);
  }
  if (Array.isArray(template)) {
    return template.map((item) => renderPayload(item, document));
  }
  if (typeof template === 'object' && template !== null) {
    return Object.fromEntries(Object.entries(template).map(([key, value]) => [key, renderPayload(value, document)]));
  }
  return template;
}
