import { createServer } from 'node:net';

/** The loopback address every embedded local-stack service binds to. */
export const LOOPBACK_HOST = '127.0.0.1';

/** Highest TCP port number. */
export const MAX_PORT = 65_535;

/**
 * Checks whether a TCP port can be bound on {@link LOOPBACK_HOST} by binding it for a moment.
 * Resolves `false` when another process has bound the port (`EADDRINUSE`), also when it listens on 0.0.0.0.
 * Rejects with the socket error for any other failure, such as `EACCES` on a privileged port.
 */
export function isPortFree(port: number, host = LOOPBACK_HOST): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        resolve(false);
        return;
      }
      reject(error);
    });
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/** Resolves once {@link isPortFree} returns true, polling every `intervalMs`; resolves `false` after `timeoutMs`. */
export async function waitForPortFree(port: number, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await isPortFree(port)) {
      return true;
    }
    if (Date.now() >= deadline) {
      return false;
    }
    await delay(intervalMs);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Returns a TCP port on {@link LOOPBACK_HOST} that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK_HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
