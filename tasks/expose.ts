/** Entry point: `npx tsx tasks/expose.ts` — the expose step (tasks/steps/expose.ts) on its own. */
import { command } from './lib/command.ts'
import { spec } from './lib/task.ts'
import { expose } from './steps/expose.ts'

const cmd = spec('tasks/expose.ts', 'Lesson 4: expose deployment/hellogopher as a NodePort Service and print its URL. Skips when it is already exposed.', {}, {
  examples: ['npx tsx tasks/expose.ts', 'npx tsx tasks/expose.ts --dry-run'],
})

await command({ spec: cmd, guard: { mutates: true, lock: true }, steps: ({ deps }) => [expose(deps)] }).mainIf(import.meta.url)
