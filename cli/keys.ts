/** `npm run keys -- create|revoke|list ...`: the API key commands on their own, with MONGODB_URI. */
import { keysCommand } from './commands/keys';

keysCommand()
  .name('keys')
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`keys: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
