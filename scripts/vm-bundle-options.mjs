// esbuild options shared by the packages' embed scripts (packages/*/scripts/embed.mjs): how
// pure-JS sources are bundled to run inside a VM — one string, no Node built-ins assumed, ES2022,
// whitespace and syntax minified, no license comments.
export const vmBundleOptions = {
  bundle: true,
  write: false,
  platform: 'neutral',
  mainFields: ['main'],
  target: 'es2022',
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
}
