// esbuild plugins for serverless-esbuild (custom.esbuild.plugins in serverless.yml).
const { readFile } = require('node:fs/promises');

/** Files under lib/dashboard/public/ are bundled as strings: the dashboard function serves them as they are. */
const dashboardAssets = {
  name: 'dashboard-assets-as-text',
  setup(build) {
    build.onLoad({ filter: /[\\/]lib[\\/]dashboard[\\/]public[\\/][^\\/]+\.(html|css|js|svg)$/ }, async (args) => ({
      contents: await readFile(args.path, 'utf8'),
      loader: 'text',
    }));
  },
};

module.exports = [dashboardAssets];
