import { createRequire } from 'node:module'
import { VMCodeBaseLibrary } from '@vm-machine/codebase'
import { createTestVM } from '@vm-machine/test-utils'
import { describe, expect, it } from 'vitest'
import { copyPackage } from './helpers.js'

const require = createRequire(import.meta.url)

async function vmWith(...packages: string[]) {
  const codebase = new VMCodeBaseLibrary()
  for (const name of packages) copyPackage(codebase.getFs(), name)
  return createTestVM([codebase])
}

describe('real npm packages, unmodified, in the volume', () => {
  it('runs ms (CommonJS) like Node does', async () => {
    const vm = await vmWith('ms')
    const ms = require('ms') as (value: string | number, options?: { long: boolean }) => unknown
    const inputs = ['2 days', '1.5h', '10s', '-3m']
    expect(await vm.run(`const ms = require('ms'); return [${inputs.map((i) => `ms(${JSON.stringify(i)})`).join(', ')}, ms(60000), ms(2 * 86400000, { long: true })]`)).toEqual([
      ...inputs.map((input) => ms(input)),
      ms(60000),
      ms(2 * 86400000, { long: true }),
    ])
  })

  it('runs deepmerge (CommonJS, package.json main into dist) like Node does', async () => {
    const vm = await vmWith('deepmerge')
    const deepmerge = require('deepmerge') as { all(objects: object[]): unknown }
    const objects = [{ a: { x: 1 }, list: [1] }, { a: { y: 2 }, list: [2] }, { b: true }]
    expect(await vm.run(`return require('deepmerge').all(${JSON.stringify(objects)})`)).toEqual(deepmerge.all(objects))
  })

  it('runs fast-deep-equal (CommonJS, subpath require) like Node does', async () => {
    const vm = await vmWith('fast-deep-equal')
    const equal = require('fast-deep-equal/es6') as (a: unknown, b: unknown) => boolean
    expect(
      await vm.run(`const equal = require('fast-deep-equal/es6'); return [equal({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), equal(new Map([[1, 2]]), new Map([[1, 3]])), equal([1], [1, 2])]`),
    ).toEqual([equal({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), equal(new Map([[1, 2]]), new Map([[1, 3]])), equal([1], [1, 2])])
  })

  it('runs camelcase (ES module only, package exports) like Node does', async () => {
    const vm = await vmWith('camelcase')
    const { default: camelCase } = (await import('camelcase')) as { default: (input: string, options?: { pascalCase: boolean }) => string }
    const inputs = ['foo-bar', 'Foo_Bar baz', '--foo.bar']
    expect(
      await vm.run(`const { default: camelCase } = await importModule('camelcase'); return [${inputs.map((i) => `camelCase(${JSON.stringify(i)})`).join(', ')}, camelCase('foo-bar', { pascalCase: true })]`),
    ).toEqual([...inputs.map((input) => camelCase(input)), camelCase('foo-bar', { pascalCase: true })])
  })
})
