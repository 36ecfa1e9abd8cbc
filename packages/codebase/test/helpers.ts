import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { IFs } from 'memfs'

const nodeModules = fileURLToPath(new URL('../node_modules/', import.meta.url))

/** Copies an installed npm package (unmodified) into the volume's /node_modules. */
export function copyPackage(fs: IFs, name: string, root = realpathSync(join(nodeModules, name))): void {
  const copy = (from: string, to: string) => {
    fs.mkdirSync(to, { recursive: true })
    for (const entry of readdirSync(from)) {
      if (entry === 'node_modules') continue
      const source = join(from, entry)
      const target = `${to}/${entry}`
      if (statSync(source).isDirectory()) copy(source, target)
      else fs.writeFileSync(target, readFileSync(source))
    }
  }
  copy(root, `/node_modules/${name}`)
}

/** Copies an installed npm package and, flat beside it, every package it depends on (transitively). */
export function copyPackageTree(fs: IFs, name: string, from = nodeModules, seen = new Set<string>()): void {
  if (seen.has(name)) return
  seen.add(name)
  const root = realpathSync(join(from, name))
  copyPackage(fs, name, root)
  const { dependencies = {} } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }
  for (const dependency of Object.keys(dependencies)) copyPackageTree(fs, dependency, root.slice(0, -name.length), seen)
}
