// The reference README's "Creating Custom Libraries": math (extends VMLibrary), crypto and
// filesystem (extend VMIpcRxLibrary and override getVmCode for a namespaced API). Honest change in
// the filesystem library: the reference checks `resolvedPath.startsWith(allowedPath)`, which lets
// '/tmpfoo' through for '/tmp'; here a path must equal an allowed root or lie below it.
import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { VM, VMLibrary } from '@vm-machine/core'
import { VMIpcRxLibrary } from '@vm-machine/ipc'
import { isMain } from './isMain.js'

// 1. Extending VMLibrary
export class CustomMathLibrary extends VMLibrary {
  override getReferences() {
    return {
      __advancedMath: (operation: string, ...args: number[]) => {
        try {
          switch (operation) {
            case 'fibonacci':
              return this.fibonacci(args[0] ?? 0)
            case 'factorial':
              return this.factorial(args[0] ?? 0)
            default:
              throw new Error(`Unknown operation: ${operation}`)
          }
        } catch (error) {
          this.onError?.(error as Error)
          return null
        }
      },
    }
  }

  override getVmCode(): string {
    return `
      global.fibonacci = (n) => __advancedMath('fibonacci', n);
      global.factorial = (n) => __advancedMath('factorial', n);
    `
  }

  override dispose(): void {
    // Cleanup resources
  }

  private fibonacci(n: number): number {
    if (n <= 1) return n
    return this.fibonacci(n - 1) + this.fibonacci(n - 2)
  }

  private factorial(n: number): number {
    if (n <= 1) return 1
    return n * this.factorial(n - 1)
  }
}

// 2. Extending VMIpcRxLibrary for async functions
export class CustomCryptoLibrary extends VMIpcRxLibrary {
  constructor() {
    super({
      // All functions must return Promise<any>
      randomHash: async (): Promise<string> => crypto.randomBytes(16).toString('hex'),
      sha256: async (data: string | Uint8Array): Promise<string> => crypto.createHash('sha256').update(data).digest('hex'),
      encrypt: async (text: string, secret: string): Promise<string> => {
        const key = crypto.createHash('sha256').update(secret).digest()
        const iv = crypto.randomBytes(16)
        const cipher = crypto.createCipheriv('aes-256-cbc', key, iv)
        let encrypted = cipher.update(text, 'utf8', 'base64')
        encrypted += cipher.final('base64')
        return `${iv.toString('base64')}:${encrypted}`
      },
      decrypt: async (encrypted: string, secret: string): Promise<string> => {
        const key = crypto.createHash('sha256').update(secret).digest()
        const [ivBase64 = '', encryptedData = ''] = encrypted.split(':')
        const iv = Buffer.from(ivBase64, 'base64')
        const decipher = crypto.createDecipheriv('aes-256-cbc', key, iv)
        let decrypted = decipher.update(encryptedData, 'base64', 'utf8')
        decrypted += decipher.final('utf8')
        return decrypted
      },
    })
  }

  // Override getVmCode to provide clean API
  override getVmCode(): string {
    const originalCode = super.getVmCode()
    return `
      ${originalCode};
      // Create clean crypto API
      global.crypto = {
        randomHash: global.randomHash,
        sha256: global.sha256,
        encrypt: global.encrypt,
        decrypt: global.decrypt
      };
    `
  }
}

// 3. Advanced example: file system library (the host's real filesystem, under allowed roots only)
export class CustomFileSystemLibrary extends VMIpcRxLibrary {
  private allowedPaths: string[]

  constructor(allowedPaths: string[] = []) {
    super({
      readFile: async (filePath: string): Promise<string> => {
        this.validatePath(filePath)
        return await fs.readFile(filePath, 'utf-8')
      },
      writeFile: async (filePath: string, content: string): Promise<void> => {
        this.validatePath(filePath)
        await fs.writeFile(filePath, content, 'utf-8')
      },
      listDirectory: async (dirPath: string): Promise<string[]> => {
        this.validatePath(dirPath)
        return await fs.readdir(dirPath)
      },
      getStats: async (filePath: string) => {
        this.validatePath(filePath)
        const stats = await fs.stat(filePath)
        return { size: stats.size, isFile: stats.isFile(), isDirectory: stats.isDirectory(), modifiedTime: stats.mtime, createdTime: stats.birthtime }
      },
    })
    this.allowedPaths = allowedPaths.map((p) => path.resolve(p))
  }

  private validatePath(filePath: string): void {
    const resolvedPath = path.resolve(filePath)
    const isAllowed = this.allowedPaths.some((allowedPath) => resolvedPath === allowedPath || resolvedPath.startsWith(allowedPath + path.sep))
    if (!isAllowed) {
      throw new Error(`Access denied: ${filePath} is outside allowed paths`)
    }
  }

  override getVmCode(): string {
    const originalCode = super.getVmCode()
    return `
      ${originalCode};
      global.fs = {
        readFile: global.readFile,
        writeFile: global.writeFile,
        listDirectory: global.listDirectory,
        getStats: global.getStats
      };
    `
  }
}

export async function customLibraries() {
  const errors: string[] = []
  const mathVm = new VM([new CustomMathLibrary()], { onError: (error) => errors.push(error.message) })
  await mathVm.initialize()
  const math = await mathVm.run('return { fib: fibonacci(20), fact: factorial(10), bad: __advancedMath("cube", 3) }')
  mathVm.dispose()

  const cryptoVm = new VM([new CustomCryptoLibrary()])
  await cryptoVm.initialize()
  const cryptoResult = await cryptoVm.run(`
    const hash = await crypto.randomHash();
    const digest = await crypto.sha256('hello world');
    const encrypted = await crypto.encrypt('secret data', 'password');
    const decrypted = await crypto.decrypt(encrypted, 'password');
    return { hash, digest, encrypted, decrypted };
  `)
  cryptoVm.dispose()

  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'vm-machine-example-'))
  const sibling = `${root}foo`
  await fs.writeFile(path.join(root, 'test.txt'), 'Hello from the host')
  await fs.mkdir(sibling)
  const fsVm = new VM([new CustomFileSystemLibrary([root])])
  try {
    await fsVm.initialize()
    const fsResult = await fsVm.run(`
      const content = await fs.readFile(${JSON.stringify(path.join(root, 'test.txt'))});
      await fs.writeFile(${JSON.stringify(path.join(root, 'output.txt'))}, 'Hello World');
      const files = (await fs.listDirectory(${JSON.stringify(root)})).sort();
      const stats = await fs.getStats(${JSON.stringify(path.join(root, 'test.txt'))});
      const denied = [];
      for (const p of [${JSON.stringify(sibling)}, '/etc/passwd', ${JSON.stringify(`${root}/../`)}]) {
        try { await fs.listDirectory(p); denied.push('allowed ' + p) } catch (e) { denied.push(e.message.startsWith('Access denied')) }
      }
      return { files, content, size: stats.size, isFile: stats.isFile, denied };
    `)
    console.log({ math, cryptoResult, fsResult })
    return { math, errors, cryptoResult, fsResult }
  } finally {
    fsVm.dispose()
    await fs.rm(root, { recursive: true, force: true })
    await fs.rm(sibling, { recursive: true, force: true })
  }
}

if (isMain(import.meta.url)) await customLibraries()
