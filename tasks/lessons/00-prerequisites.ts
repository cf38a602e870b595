/** Lesson 0, prerequisites: which tools are installed, their versions, and how to get the missing ones. Reads only. */
import { NAMESPACE } from '../lib/context.ts'
import { TOOLS } from '../lib/tools.ts'
import { assessProviders, checkTools, formatReport, hostFacts, preflight } from '../doctor.ts'
import { observe } from './observe.ts'
import { NotSeen, type Lesson } from './types.ts'

export const lesson: Lesson = {
  number: 0,
  name: 'prerequisites',
  title: 'Prerequisites',
  summary: 'which of kubectl, minikube, docker, go (and kind) are installed, their versions, and how to get the missing ones',
  observable: 'a clear report of which tools are present, their versions, and how to get the missing ones',
  namespace: NAMESPACE,
  steps: (deps) => [
    preflight(deps),
    observe(deps, {
      title: `the installed tools (${TOOLS.map((t) => `${t.name} ${t.versionArgs.join(' ')}`).join(', ')})`,
      expect: `every tool the ${deps.provider.name} provider needs is installed, with its version`,
      local: true,
      async check(_ctx, log) {
        const tools = await checkTools(deps.sh)
        const providers = assessProviders(tools, hostFacts())
        for (const line of formatReport(tools, providers, { name: deps.provider.name }).split('\n')) log(line)
        const mine = providers.find((p) => p.name === deps.provider.name)
        const missing = mine?.needs.filter((n) => !n.ok) ?? []
        if (!mine?.usable) throw new NotSeen(`the ${deps.provider.name} provider usable here`, `it needs ${missing.map((n) => `${n.what} (${n.hint})`).join(', ')}`)
        const present = tools.filter((t) => t.path)
        return `${present.map((t) => `${t.name} ${t.version ?? '?'}`).join(', ')} installed; the ${deps.provider.name} provider can run here`
      },
    }),
  ],
}
