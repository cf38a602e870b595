/** Entry point: `npx tsx tasks/apply.ts [--file F]` — the apply step (tasks/steps/apply.ts) on its own. */
import { command } from './lib/command.ts'
import { spec } from './lib/task.ts'
import { applyManifests } from './steps/apply.ts'

const cmd = spec(
  'tasks/apply.ts',
  'Lessons 10–14: kubectl apply --server-side -f manifests/ (or --file <lesson variant>), showing any image the provider swaps, then wait for the Deployments to roll out. Skips when nothing would change.',
  {
    file: { type: 'string', description: 'manifest file or folder to apply', default: 'manifests/' },
  },
  { examples: ['npx tsx tasks/apply.ts', 'npx tsx tasks/apply.ts --dry-run', 'npx tsx tasks/apply.ts --file manifests/02_hellogopher.yml'] },
)

await command({
  spec: cmd,
  guard: { mutates: true, lock: true },
  steps: ({ deps, parsed }) => [applyManifests(deps, { path: parsed.flags.file as string })],
}).mainIf(import.meta.url)
