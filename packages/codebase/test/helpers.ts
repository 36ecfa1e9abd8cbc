import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { IFs } from 'memfs'

const nodeModules = fileURLToPath(new URL('../node_modules/', import.meta.url))

/** Copies an installed npm package (unmodified) into the volume's /node_modules. */
export function copyPackage(fs: IFs, name: string): void {
  const root = realpathSync(join(nodeModules, name))
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
