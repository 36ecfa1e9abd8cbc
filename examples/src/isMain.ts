import { realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** True when the module at `url` is the script node was started with. */
export function isMain(url: string): boolean {
  const entry = process.argv[1]
  return entry !== undefined && realpathSync(entry) === realpathSync(fileURLToPath(url))
}
