/**
 * Cold start of each Lambda function: the size of its minified bundle and the time its bundle
 * takes to load (module initialisation) in a fresh Node.js process, median of 10 processes.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { build, type Plugin } from 'esbuild';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dashboardPlugins = require('../../../deploy/esbuild-plugins.cjs') as Plugin[];
import { median } from './stats';

const run = promisify(execFile);
const FUNCTIONS_DIR = join(__dirname, '..', '..', '..', 'functions');
const IMPORTS_PER_FUNCTION = 10;

/** Settings a handler module reads when it loads; nothing connects during the import. */
const FUNCTION_ENV = {
  MONGODB_URI: 'mongodb://127.0.0.1:9',
  REDIS_CLUSTER_NODES: '127.0.0.1:9',
  SLUICE_QUEUE: 'default',
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** Loads the bundle in this fresh process and prints the milliseconds the load took. */
const IMPORT_SCRIPT = `
const startedAt = process.hrtime.bigint();
require(process.argv[1]);
process.stdout.write(String(Number(process.hrtime.bigint() - startedAt) / 1e6));
`;

export interface ColdStartFigures {
  function: string;
  bundleBytes: number;
  /** Median import time over 10 fresh processes, in milliseconds. */
  initMs: number;
  initRunsMs: number[];
  /** The five packages that add the most bytes to the bundle, as [name, bytes]. Sluice's own code is `(sluice)`. */
  largestPackages: [string, number][];
}

/** Sums the output bytes of each package from an esbuild metafile output. */
function bytesByPackage(inputs: Record<string, { bytesInOutput: number }>): [string, number][] {
  const sizes = new Map<string, number>();
  for (const [path, input] of Object.entries(inputs)) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? '(sluice)';
    sizes.set(name, (sizes.get(name) ?? 0) + input.bytesInOutput);
  }
  return [...sizes].sort((a, b) => b[1] - a[1]);
}

/** Bundles each function as deployment would (bundle, minify, tree shaking, Node 22, CommonJS) and times its import. */
export async function measureColdStart(progress: (line: string) => void): Promise<ColdStartFigures[]> {
  const outDir = mkdtempSync(join(tmpdir(), 'sluice-bench-bundles-'));
  try {
    const figures: ColdStartFigures[] = [];
    for (const file of readdirSync(FUNCTIONS_DIR).filter((name) => name.endsWith('.ts')).sort()) {
      const name = basename(file, '.ts');
      const outfile = join(outDir, `${name}.js`);
      const built = await build({
        entryPoints: [join(FUNCTIONS_DIR, file)],
        outfile,
        bundle: true,
        minify: true,
        keepNames: true,
        treeShaking: true,
        platform: 'node',
        target: 'node22',
        format: 'cjs',
        logLevel: 'error',
        metafile: true,
        // The same plugins as serverless.yml's esbuild settings (the dashboard's files as text).
        plugins: dashboardPlugins,
      });
      const output = Object.values(built.metafile.outputs)[0];
      const initRunsMs: number[] = [];
      for (let index = 0; index < IMPORTS_PER_FUNCTION; index += 1) {
        const { stdout } = await run(process.execPath, ['-e', IMPORT_SCRIPT, outfile], { env: { PATH: process.env.PATH, ...FUNCTION_ENV } });
        initRunsMs.push(Number(stdout));
      }
      const result = { function: name, bundleBytes: statSync(outfile).size, initMs: median(initRunsMs), initRunsMs, largestPackages: bytesByPackage(output?.inputs ?? {}).slice(0, 5) };
      progress(`cold start: ${name} ${(result.bundleBytes / 1024).toFixed(0)} KiB, init ${result.initMs.toFixed(1)} ms`);
      figures.push(result);
    }
    return figures;
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
