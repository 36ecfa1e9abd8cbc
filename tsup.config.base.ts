import { defineConfig, type Options } from 'tsup'

/** The one build setup of every package: ESM + CJS + .d.ts from src/index.ts. */
export function packageConfig(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    treeshake: true,
    splitting: false,
    ...overrides,
  })
}
