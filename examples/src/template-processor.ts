// The reference README's "Template Processing with Data". Honest changes: the original splices the
// template into the VM code (so template text becomes code — an injection hole) and writes its
// regex inside a host template literal, where `\{` loses its backslash; here the template reaches
// the VM as data (VMInjectLibrary) and the regex is written as VM code would see it.
import { VM, VMInjectLibrary } from '@vm-machine/core'
import { VMIpcLibrary, VMIpcRxLibrary } from '@vm-machine/ipc'
import { VMTimingLibrary } from '@vm-machine/timing'
import { isMain } from './isMain.js'

export class TemplateProcessor {
  async processTemplate(template: string, data: unknown): Promise<string> {
    const ipcRxLib = new VMIpcRxLibrary({
      // Provide data access: safe property access using a path like 'user.name'
      getValue: async (path: string) => path.split('.').reduce<unknown>((obj, key) => (obj as Record<string, unknown> | undefined)?.[key], data),
      // Provide utility functions
      formatDate: async (date: string) => new Date(date).toLocaleDateString('en-US', { timeZone: 'UTC' }),
      uppercase: async (str: string) => str.toUpperCase(),
      lowercase: async (str: string) => str.toLowerCase(),
    })

    const ipcTxLib = new VMIpcLibrary()
    const timingLib = new VMTimingLibrary()

    const vm = new VM([ipcRxLib, ipcTxLib, timingLib, new VMInjectLibrary({ TEMPLATE: template })], {
      memoryLimit: 16,
      onError: (error) => {
        throw error
      },
    })

    try {
      await vm.initialize()
      const code = String.raw`
        async function processTemplate() {
          let result = TEMPLATE;

          // Replace {{variable}} patterns
          const regex = /\{\{([^}]+)\}\}/g;
          const matches = [];
          let match;
          while ((match = regex.exec(TEMPLATE)) !== null) {
            matches.push({ full: match[0], path: match[1].trim() });
          }

          for (const m of matches) {
            let value;
            // Check for function calls like {{formatDate(user.birthdate)}}
            if (m.path.includes('(')) {
              const funcMatch = m.path.match(/(\w+)\(([^)]+)\)/);
              if (funcMatch) {
                const funcName = funcMatch[1];
                const argValue = await getValue(funcMatch[2]);
                if (funcName === 'formatDate') value = await formatDate(argValue);
                else if (funcName === 'uppercase') value = await uppercase(argValue);
                else if (funcName === 'lowercase') value = await lowercase(argValue);
                else value = argValue;
              }
            } else {
              value = await getValue(m.path);
            }
            result = result.replace(m.full, value || '');
          }
          return result;
        }
        return { processTemplate };
      `
      await vm.run(code)
      return (await ipcTxLib.callIpc('processTemplate', [])) as string
    } finally {
      vm.dispose()
    }
  }
}

export const template = `
Hello {{user.name}}!
Your registration date: {{formatDate(user.registeredAt)}}
Email: {{lowercase(user.email)}}
Status: {{uppercase(user.status)}}
`

export async function templateProcessor() {
  const processor = new TemplateProcessor()
  const data = { user: { name: 'John Doe', email: 'John.Doe@Example.com', status: 'active', registeredAt: '2024-01-15' } }
  const result = await processor.processTemplate(template, data)
  console.log(result)
  return result
}

if (isMain(import.meta.url)) await templateProcessor()
