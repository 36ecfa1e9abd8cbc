import { VMCodeBaseLibrary } from '@vm-machine/codebase'
import { VM } from '@vm-machine/core'
import { type Row, measure, timeRow } from './harness.js'
import { ivm } from './ivm.js'

const COUNT = 200
const files = new Map<string, string>()
for (let i = 0; i < COUNT; i++) files.set(`/mods/m${i}.js`, `exports.value = ${i}; exports.next = ${i + 1 < COUNT ? `() => require('./m${i + 1}.js')` : 'null'}`)
const requireAll = `let n = 0; for (let i = 0; i < ${COUNT}; i++) n += require('/mods/m' + i + '.js').value; return n`

/** 5. require() of 200 small modules from the codebase volume vs a raw in-sandbox require over a host source lookup. */
export async function requireModules(): Promise<Row> {
  const codebase = new VMCodeBaseLibrary()
  const fs = codebase.getFs()
  fs.mkdirSync('/mods')
  for (const [path, source] of files) fs.writeFileSync(path, source)
  let vm: VM | undefined
  let isolate: InstanceType<typeof ivm.Isolate> | undefined
  let rawRun: InstanceType<typeof ivm.Reference> | undefined
  const samples = await measure(
    {
      ours: {
        beforeEach: async () => {
          // The volume is built once, like the raw side's source map; each sample is a fresh VM
          // (and so a fresh module cache) over it.
          vm = new VM([codebase])
          await vm.initialize()
        },
        fn: async () => {
          await vm?.run(requireAll)
        },
        afterEach: async () => {
          await vm?.dispose()
        },
      },
      raw: {
        beforeEach: async () => {
          isolate = new ivm.Isolate({ memoryLimit: 64 })
          const context = await isolate.createContext()
          const lookup = new ivm.Reference(async (path: string) => files.get(path))
          rawRun = (await context.evalClosure(
            `const cache = new Map()
            const load = $0
            globalThis.require = function require(path) {
              let module = cache.get(path)
              if (module) return module.exports
              module = { exports: {} }
              cache.set(path, module)
              const source = load.applySyncPromise(undefined, [path])
              const fn = (0, eval)('(function (exports, require, module) {' + source + '\\n})\\n//# sourceURL=' + path)
              fn(module.exports, require, module)
              return module.exports
            }
            return async () => { ${requireAll} }`,
            [lookup],
            { result: { reference: true } },
          )) as InstanceType<typeof ivm.Reference>
        },
        fn: async () => {
          await rawRun?.apply(undefined, [], { result: { promise: true, copy: true } })
        },
        afterEach: () => {
          isolate?.dispose()
        },
      },
    },
    1,
    1500,
  )
  return timeRow('5', `require ${COUNT} small modules from the volume vs raw in-sandbox require`, samples.ours!, samples.raw!, 1.5)
}
