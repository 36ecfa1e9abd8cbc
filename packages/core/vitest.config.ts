import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { projectConfig } from '../../vitest.shared.js'

// Core's VM code embeds whatwg-url's bundled source; generate it before tests import the sources.
execFileSync(process.execPath, [fileURLToPath(new URL('./scripts/embed.mjs', import.meta.url))])

export default projectConfig('core')
