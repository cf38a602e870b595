/** Entry point: `npx tsx tasks/rollout.ts --tag T` — the rollout step (tasks/steps/rollout.ts) on its own. */
import { isMain, UsageError } from './lib/cli.ts'
import { tagNames } from './lib/context.ts'
import { NAMESPACE_FLAG, namespaceFlag, TIMEOUT_FLAG, timeoutFlag } from './lib/flags.ts'
import { spec, taskMain } from './lib/task.ts'
import { rollout, type RolloutOptions, type RolloutVia } from './steps/rollout.ts'

export const command = spec(
  'tasks/rollout.ts',
  'Roll deployment/hellogopher to another image tag and wait until it has rolled out (lesson 7). The image must already be in the cluster\'s runtime (tasks/build-images.ts). Tag 2.0 rolls out fine and then fails its liveness probe after 10 s — that is the lesson.',
  {
    tag: { type: 'string', description: 'image tag to roll to (required)', choices: tagNames() },
    namespace: NAMESPACE_FLAG,
    via: { type: 'string', description: 'set-image: kubectl set image; apply: edit manifests/02_hellogopher.yml and kubectl apply -f', choices: ['set-image', 'apply'], default: 'set-image' },
    timeout: TIMEOUT_FLAG,
  },
  { examples: ['npx tsx tasks/rollout.ts --tag 2.0', 'npx tsx tasks/rollout.ts --tag 4.0 --via apply', 'npx tsx tasks/rollout.ts --tag 2.0 --dry-run'] },
)

if (isMain(import.meta.url)) {
  let opts: RolloutOptions = {}
  await taskMain(
    command,
    ({ deps }) => [rollout(deps, opts)],
    { mutates: true },
    // flags are checked here, before any cluster is contacted
    ({ flags }) => {
      if (!flags.tag) throw new UsageError(`--tag is required (one of ${tagNames().join(', ')})`)
      opts = { via: flags.via as RolloutVia, timeoutMs: timeoutFlag(flags) }
      return { tag: flags.tag as string, namespace: namespaceFlag(flags) }
    },
  )
}
