import script from './public/app.js';
import styles from './public/app.css';
import icon from './public/favicon.svg';
import page from './public/index.html';

/** A static file of the dashboard. */
export interface DashboardAsset {
  body: string;
  contentType: string;
}

/** The dashboard page (`GET /dashboard`). It contains no data: the script reads the API with the user's key. */
export const DASHBOARD_PAGE: DashboardAsset = { body: page, contentType: 'text/html; charset=utf-8' };

/** Files under `/dashboard/`, by name. */
const ASSETS: ReadonlyMap<string, DashboardAsset> = new Map([
  ['app.js', { body: script, contentType: 'text/javascript; charset=utf-8' }],
  ['app.css', { body: styles, contentType: 'text/css; charset=utf-8' }],
  ['favicon.svg', { body: icon, contentType: 'image/svg+xml' }],
]);

/** Returns the asset called `name`, or undefined when the dashboard has none by that name. */
export function findDashboardAsset(name: string): DashboardAsset | undefined {
  return ASSETS.get(name);
}

/**
 * Content-Security-Policy of the dashboard: scripts and styles only from the dashboard's own
 * files (no inline code), requests only to the same origin, and no framing.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers of every dashboard response. */
export const DASHBOARD_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  // The files change only with a deployment; a short cache keeps a new deployment visible soon.
  'cache-control': 'public, max-age=60',
};
