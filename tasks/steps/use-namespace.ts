/**
 * Lesson 10: `kubectl config set-context --current --namespace=hellogopher`, remembering the namespace it replaces
 * (teardown restores it). Idempotent: skips when the context already uses the namespace.
 */
import type { Deps } from '../lib/run.ts'
import { setContextNamespace } from '../lib/kubectl.ts'
import { displayPath } from '../lib/manifests.ts'
import { readState, STATE_FILE, writeState } from '../lib/state.ts'
import { logTo, type Step } from '../lib/task.ts'

export const useNamespace = (deps: Deps, stateFile = STATE_FILE): Step => ({
  title: "Make hellogopher the kubectl context's namespace (lesson 10)",
  skip: async (ctx) => {
    const kube = deps.kube()
    return kube.contextNamespace === ctx.namespace ? `context ${kube.contextName} already uses namespace ${ctx.namespace}` : false
  },
  task: async (ctx, task) => {
    const log = logTo(task)
    if (!ctx.dryRun) {
      // a value saved by an earlier up that teardown has not undone yet is the one to restore
      const saved = readState(stateFile).previousNamespace
      ctx.previousNamespace = saved ?? deps.kube().contextNamespace
      if (!saved) writeState({ previousNamespace: ctx.previousNamespace }, stateFile)
      log(`previous namespace '${ctx.previousNamespace}' kept in ${displayPath(stateFile)} (teardown restores it)`)
    }
    await setContextNamespace(deps, ctx.namespace, ctx.dryRun, log)
  },
})
