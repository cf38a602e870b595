/** Entry point: `npx tsx tasks/relabel.ts` — the relabel / delete-pods steps (tasks/steps/relabel.ts) on their own. */
import { command } from './lib/command.ts'
import { ROLLOUT_DEADLINE_MS } from './lib/tutorial.ts'
import { spec } from './lib/task.ts'
import { NAMESPACE_FLAG, namespaceFlag } from './lib/flags.ts'
import { deletePods, parseRelabelFlags, relabel } from './steps/relabel.ts'

const cmd = spec(
  'tasks/relabel.ts',
  "Lesson 5: add, overwrite or remove pod labels (kubectl label), or delete pods by label and watch the Deployment create a new one. Without --overwrite, changing an existing label fails the way kubectl does — that is part of the lesson.",
  {
    pod: { type: 'string', description: 'the pod to label (pod/<name> also accepted)' },
    selector: { type: 'string', short: 'l', description: 'label selector of the pods, e.g. app=hellogopher, app!=hellogopher, "env in (a,b)"' },
    set: { type: 'string', multiple: true, description: 'label to set, key=value (repeatable)' },
    remove: { type: 'string', multiple: true, description: 'label key to remove (repeatable)' },
    overwrite: { type: 'boolean', description: 'allow changing a label that already has another value' },
    delete: { type: 'boolean', description: 'delete the pods matching --selector (default app=hellogopher) and wait for a new pod' },
    namespace: { ...NAMESPACE_FLAG, description: 'namespace of the pods' },
    timeout: { type: 'string', description: 'seconds --delete waits for the new pod', default: String(ROLLOUT_DEADLINE_MS / 1000) },
    yes: { type: 'boolean', description: 'confirm --delete on a cluster that is not recognisably local' },
  },
  {
    examples: [
      'npx tsx tasks/relabel.ts --pod hellogopher-6d9f7c-x2x7l --set author=percy',
      'npx tsx tasks/relabel.ts --pod hellogopher-6d9f7c-x2x7l --set author=ironman --overwrite',
      'npx tsx tasks/relabel.ts --pod hellogopher-6d9f7c-x2x7l --remove author',
      'npx tsx tasks/relabel.ts --selector app=hellogopher --set author=percy',
      'npx tsx tasks/relabel.ts --delete --selector app=hellogopher',
    ],
  },
)

await command({
  spec: cmd,
  // flags are checked here, before any cluster is contacted
  options: ({ flags }) => ({ plan: parseRelabelFlags(flags), namespace: namespaceFlag(flags) }),
  ctx: ({ namespace }) => ({ namespace }),
  // deleting pods is destructive: on a non-local context it also needs --yes
  guard: ({ plan }) => ({ mutates: true, destructive: plan.mode === 'delete', lock: true }),
  steps: ({ deps, options: { plan } }) => [plan.mode === 'delete' ? deletePods(deps, plan.opts) : relabel(deps, plan.opts)],
}).mainIf(import.meta.url)
