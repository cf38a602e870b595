/** Lesson 0, prerequisites: which tools are installed, their versions, and how to get the missing ones. Reads only. */
import { NAMESPACE } from '../lib/tutorial.ts'
import { toolHint, TOOLS } from '../lib/tools.ts'
import { assessProviders, checkTools, formatReport, hostFacts, preflight } from '../steps/preflight.ts'
import { observe } from './observe.ts'
import { NotSeen, type Lesson } from './types.ts'
import { fail, pass, type Check } from './check.ts'
import type { Explanation } from './explain.ts'

/** --check: the tools the cluster provider needs are on this machine (reads only: `which`). */
export const checks: Check[] = [
  {
    observable: 'the tools this cluster provider needs (kubectl, docker, …) are installed',
    hint: 'install the missing tool — npx tsx tasks/doctor.ts prints what is missing, its version and how to get it',
    async check(d) {
      const tools = d.requiredTools()
      const missing: string[] = []
      for (const t of tools) if (!(await d.which(t))) missing.push(t)
      if (!missing.length) return pass(`${tools.join(', ') || 'nothing needed'} installed (the ${d.provider} provider)`)
      // the hint names each missing tool and how to get it (the doctor's own words)
      return fail(`not on PATH: ${missing.join(', ')}`, `${missing.map((t) => `${t}: ${toolHint(t)}`).join('; ')} — then ${missing.map((t) => `command -v ${t}`).join(', ')} finds it (npx tsx tasks/doctor.ts prints the full report)`)
    },
  },
]

export const explain: Explanation = {
  commands: [
    { run: 'kubectl version --client', does: ["Prints kubectl's own version (Client Version). kubectl is how you talk to any cluster.", 'No cluster is needed yet: --client asks only the program.'] },
    { run: 'minikube version', does: ['minikube runs a one-node cluster on this machine (lesson 1).', 'No minikube? kind or the lab cluster work too — npx tsx tasks/doctor.ts says which can run here.'] },
    { run: 'docker version', does: ['docker builds the app into an image (lesson 2).', 'Look at both Client and Server: no Server section means the docker daemon is not running.'] },
    { run: 'go version', does: ['Go builds hellogopher, the tiny web server the tutorial deploys (lesson 2).', 'Look for go1.22 or newer; the version line also names the OS and CPU the binaries are built for.'] },
  ],
  next: 'start a cluster — npx tsx tasks/lesson.ts 1 --explain',
}

export const lesson: Lesson = {
  number: 0,
  name: 'prerequisites',
  title: 'Prerequisites',
  summary: 'which of kubectl, minikube, docker, go (and kind) are installed, their versions, and how to get the missing ones',
  observable: 'a clear report of which tools are present, their versions, and how to get the missing ones',
  namespace: NAMESPACE,
  checks,
  explain,
  steps: (deps) => [
    preflight(deps, { versions: true }),
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
