/** The dashboard's browser script as text; esbuild (deploy/esbuild-plugins.cjs) and jest load it with a text loader. */
declare const source: string;
export default source;
