// The dashboard's HTML, CSS and SVG files are imported as text: esbuild (deploy/esbuild-plugins.cjs)
// and jest (test/support/text-transform.cjs) load them with a text loader.
declare module '*.html' {
  const source: string;
  export default source;
}

declare module '*.css' {
  const source: string;
  export default source;
}

declare module '*.svg' {
  const source: string;
  export default source;
}
