/**
 * A picture of what runs now: one self-contained SVG (no scripts, no web fonts) with a box per namespace,
 * Deployment → ReplicaSet → pods, Service → the pods it selects (with its NodePort), pod → the ConfigMap/Secret
 * it reads env from (names only; Secrets are never read), unhealthy pods in red. Reads only.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { COMMON_FLAGS, UsageError, type CommandSpec } from './lib/cli.ts'
import { command as defineCommand, type Run } from './lib/command.ts'
import type { Ctx } from './lib/run.ts'
import { redact } from './lib/redact.ts'
import { allPods, buildView } from './lib/view/model.ts'
import { layoutDiagram, renderSvg } from './lib/view/diagram.ts'
import { readCluster } from './lib/view/source.ts'
import { urlResolver } from './lib/view/urls.ts'
import { namespacesOf } from './lib/view/namespaces.ts'

export const DEFAULT_OUT = 'cluster.svg'

export const command: CommandSpec = {
  name: 'tasks/diagram.ts',
  summary:
    'Draw what runs now as an SVG that opens in any browser: namespaces, Deployment → ReplicaSet → pods, Service → pods by selector (NodePort), env from ConfigMap/Secret (names only), unhealthy pods in red. Reads only.',
  flags: {
    out: { type: 'string', short: 'o', description: "where to write the SVG ('-' for stdout)", default: DEFAULT_OUT },
    namespace: { type: 'string', short: 'n', description: 'only this namespace (default: hellogopher and default)' },
    provider: COMMON_FLAGS.provider,
    context: COMMON_FLAGS.context,
    help: COMMON_FLAGS.help,
  },
  examples: ['npx tsx tasks/diagram.ts', 'npx tsx tasks/diagram.ts --out /tmp/now.svg -n hellogopher'],
}

/** The file to write, checked before anything is read from the cluster. */
export function outPath(flag: string | undefined): string | undefined {
  const out = flag ?? DEFAULT_OUT
  if (out === '-') return undefined
  if (!/\.svg$/i.test(out)) throw new UsageError(`--out must name an .svg file (got '${out}')`)
  const dir = dirname(resolve(out))
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--out: directory ${dir} does not exist`)
  return resolve(out)
}

interface Options {
  out: string | undefined
  namespaces: string[]
}

async function draw({ deps, options: { out, namespaces } }: Run<Options, Ctx>): Promise<void> {
  const kube = deps.kube()
  const objects = await readCluster(kube, namespaces)
  const urls = await urlResolver(deps).resolveAll(objects.services)
  const view = buildView(objects, { urls })
  const when = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`
  const svg = redact(renderSvg(layoutDiagram(view, `What runs now — ${namespaces.join(', ')}`, `context ${kube.contextName} (${deps.provider.name}) · ${when}`)))
  if (!out) {
    process.stdout.write(svg)
    return
  }
  writeFileSync(out, svg)
  const pods = view.namespaces.flatMap(allPods)
  const sick = pods.filter((p) => p.unhealthy)
  process.stdout.write(`wrote ${out} (${pods.length} pod${pods.length === 1 ? '' : 's'}${sick.length ? `, unhealthy: ${sick.map((p) => `${p.name} (${p.unhealthy})`).join(', ')}` : ''})\n`)
}

await defineCommand<Options>({
  spec: command,
  // the file to write and the namespace are checked before anything is read from the cluster
  options: ({ flags }) => ({ out: outPath(flags.out as string | undefined), namespaces: namespacesOf(flags.namespace as string | undefined) }),
  guard: { mutates: false },
  run: draw,
}).mainIf(import.meta.url)
