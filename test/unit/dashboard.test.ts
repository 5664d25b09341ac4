import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { handler } from '../../functions/dashboard';
import { testLambdaContext } from '../support/http-handlers';

const publicDir = join(__dirname, '..', '..', 'lib', 'dashboard', 'public');

async function get(asset?: string) {
  const event = { version: '2.0', rawPath: '/dashboard', headers: {}, pathParameters: asset === undefined ? undefined : { asset }, requestContext: {} } as unknown as APIGatewayProxyEventV2;
  const response = await handler(event, testLambdaContext);
  return { status: response.statusCode, headers: response.headers ?? {}, body: response.body ?? '' };
}

describe('dashboard function', () => {
  it('serves the page with a strict CSP', async () => {
    const response = await get();
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.body).toBe(readFileSync(join(publicDir, 'index.html'), 'utf8'));
  });

  it('has no inline script or style', async () => {
    const { body } = await get();
    expect(body).toContain('<script src="dashboard/app.js" defer></script>');
    expect(body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(body).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
  });

  it('serves the script and styles', async () => {
    const script = await get('app.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.body).toBe(readFileSync(join(publicDir, 'app.js'), 'utf8'));

    const styles = await get('app.css');
    expect(styles.status).toBe(200);
    expect(styles.headers['content-type']).toBe('text/css; charset=utf-8');

    const icon = await get('favicon.svg');
    expect(icon.status).toBe(200);
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect(icon.body).toContain('<svg');
  });

  it('returns 404 for other names', async () => {
    for (const name of ['app.d.ts', 'index.html', '..%2Fapp.js', 'secret']) {
      const response = await get(name);
      expect(response.status).toBe(404);
      expect(response.body).toContain('open /dashboard');
    }
  });

  it('inserts API data only as text', () => {
    // Job ids, types and errors are attacker-controlled, so the script never parses them as HTML.
    const script = readFileSync(join(publicDir, 'app.js'), 'utf8');
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
    expect(script).not.toMatch(/localStorage/);
  });
});
