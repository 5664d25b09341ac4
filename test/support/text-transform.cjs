// Jest transform that exports a file's text as the module's value, as esbuild's text loader does
// for the dashboard's files (deploy/esbuild-plugins.cjs).
module.exports = {
  process(source) {
    return { code: `module.exports = ${JSON.stringify(source)};` };
  },
};
