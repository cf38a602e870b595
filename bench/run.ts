/**
 * Benchmarks (figures, never assertions): run side by side against a baseline on the same cluster.
 *
 * 1. idempotency checks: the reads `up` makes to decide what to skip, through @kubernetes/client-node in
 *    one process (what the tasks do) vs. one `kubectl get -o json` process per read (the baseline a
 *    shell script would use).
 * 2. a second `up` (everything already done) vs. the first one from an empty namespace.
 *
 *   npx tsx bench/run.ts [--rounds 5] [--skip-up]
 * Needs the lab cluster (npx tsx tasks/lab/up.ts). Prints a table with medians and ratios.
 */
import { spawnSync } from 'node:child_process'
import { parseArgs } from 'node:util'
import { ROOT } from '../tasks/lib/context.ts'
import { Kube } from '../tasks/lib/kube.ts'
import { BIN_DIR, KUBECONFIG } from '../tasks/lab/paths.ts'
import { LAB_CONTEXT } from '../tasks/lib/providers/lab.ts'

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, 'skip-up': { type: 'boolean' } } })
const rounds = Math.max(1, Number(values.rounds) || 5)
const env = { ...process.env, KUBECONFIG, PATH: `${BIN_DIR}:${process.env.PATH}` }

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const fmt = (ms: number) => `${ms.toFixed(1).padStart(8)} ms`

/** The objects up's skip checks read. */
const READS = [
  ['apps/v1', 'Deployment', 'hellogopher'],
  ['apps/v1', 'Deployment', 'mysql'],
  ['v1', 'Service', 'hellogopher'],
  ['v1', 'Service', 'mysql'],
  ['v1', 'ConfigMap', 'database-configs'],
  ['v1', 'Secret', 'database-secrets'],
  ['v1', 'Namespace', 'hellogopher'],
] as const

async function viaApi(kube: Kube): Promise<number> {
  const t0 = performance.now()
  await Promise.all(READS.map(([apiVersion, kind, name]) => kube.read({ apiVersion, kind, name, namespace: kind === 'Namespace' ? undefined : 'hellogopher' })))
  return performance.now() - t0
}

function viaKubectl(): number {
  const t0 = performance.now()
  for (const [, kind, name] of READS) {
    const args = ['get', kind.toLowerCase(), name, '-o', 'json', ...(kind === 'Namespace' ? [] : ['-n', 'hellogopher']), '--ignore-not-found']
    const r = spawnSync('kubectl', args, { env, encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`)
  }
  return performance.now() - t0
}

function timeTask(file: string, args: string[] = []): number {
  const t0 = performance.now()
  const r = spawnSync('npx', ['tsx', file, ...args], { cwd: ROOT, env, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`${file} failed: ${r.stderr.split('\n').slice(-3).join(' ')}`)
  return performance.now() - t0
}

async function main(): Promise<void> {
  const kube = new Kube({ kubeconfig: KUBECONFIG, context: LAB_CONTEXT })
  await kube.ping()
  const rows: Array<[string, number, string, number]> = []

  if (!values['skip-up']) {
    process.stdout.write('bringing the tutorial up (first run from an empty namespace)…\n')
    timeTask('tasks/teardown.ts')
    const first = timeTask('tasks/up.ts')
    const again: number[] = []
    for (let i = 0; i < rounds; i++) again.push(timeTask('tasks/up.ts'))
    rows.push(['up, everything already done (median)', median(again), 'up from an empty namespace (images cached)', first])
  }

  await viaApi(kube) // warm the connection once, as a task process does on its first read
  const api: number[] = []
  const procs: number[] = []
  for (let i = 0; i < rounds; i++) {
    api.push(await viaApi(kube))
    procs.push(viaKubectl())
  }
  rows.push([`${READS.length} skip-check reads via client-node (median)`, median(api), `same reads, one kubectl process each`, median(procs)])

  process.stdout.write(`\nrounds: ${rounds}\n`)
  for (const [name, ms, baseName, base] of rows) {
    process.stdout.write(`${name.padEnd(48)} ${fmt(ms)}   baseline: ${baseName.padEnd(44)} ${fmt(base)}   ratio ${(base / ms).toFixed(1)}×\n`)
  }
}

await main()
