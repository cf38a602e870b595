/** Entry point: `npx tsx tasks/doctor.ts` — lesson 0's report (tools, versions, which providers can run here); the checks live in tasks/steps/preflight.ts. Reads only. */
import { command } from './lib/command.ts'
import { spec } from './lib/task.ts'
import { assessProviders, checkTools, formatReport, type HostFacts, hostFacts, whatToInstall } from './steps/preflight.ts'

const cmd = spec('tasks/doctor.ts', 'Lesson 0: report which tools are installed (with versions and how to get the missing ones) and which cluster providers can run here. Reads only.', {}, {
  examples: ['npx tsx tasks/doctor.ts', 'npx tsx tasks/doctor.ts --provider minikube'],
})

/** Print the report; exit 0 when at least one provider is usable. */
const doctor = (host: HostFacts = hostFacts()) =>
  command({
    spec: cmd,
    guard: { mutates: false, noPing: true },
    run: async ({ deps }) => {
      const tools = await checkTools(deps.sh)
      const providers = assessProviders(tools, host)
      const mine = providers.find((p) => p.name === deps.provider.name)
      // status runs the provider's own program (minikube status): only ask when its programs are there
      const toolsOk = !!mine?.needs.every((n) => n.ok || !tools.some((t) => t.name === n.what))
      const status = toolsOk ? await deps.provider.status(deps.sh) : undefined
      process.stdout.write(`${formatReport(tools, providers, { name: deps.provider.name, status })}\n`)
      if (!providers.some((p) => p.usable)) throw new Error(whatToInstall(providers))
      return 0
    },
  })

await doctor().mainIf(import.meta.url)
