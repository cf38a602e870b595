/**
 * What runs now, by namespace: Deployments (ready/desired, image, rollout), their ReplicaSets and pods (phase,
 * ready, restarts, age, why a container waits or died, the last Event), Services (type, NodePort, URL) and the
 * ConfigMap/Secret keys each pod reads — names only; Secrets are never read. Once, or with --watch kept
 * current by watches (no polling): redrawn in place on a terminal, one line per change into a pipe.
 * Reads only.
 */
import type { Kube } from './lib/kube.ts'
import { COMMON_FLAGS, isMain, type CommandSpec } from './lib/cli.ts'
import { command as defineCommand } from './lib/command.ts'
import { LEFTOVER_NAMESPACE, NAMESPACE } from './lib/tutorial.ts'
import { type Deps } from './lib/run.ts'
import { redact } from './lib/redact.ts'
import { buildView } from './lib/view/model.ts'
import { namespacesOf } from './lib/view/namespaces.ts'
import { readCluster, watchCluster } from './lib/view/source.ts'
import { changeLines, frame, objectLines, renderStatus } from './lib/view/status-text.ts'
import { urlResolver } from './lib/view/urls.ts'
import { signalsEndNormally } from './lib/lifecycle.ts'

export const command: CommandSpec = {
  name: 'tasks/status.ts',
  summary:
    "Show the tutorial's objects as they are now: Deployments → ReplicaSets → pods (ready, restarts, last Event), Services (NodePort, URL), and the ConfigMap/Secret keys each pod reads (names only, never values). --watch keeps it current by watching the API. Reads only.",
  flags: {
    watch: { type: 'boolean', short: 'w', description: 'keep watching: redraw in place on a terminal, one line per change when piped; Ctrl-C to stop' },
    namespace: { type: 'string', short: 'n', description: `only this namespace (default: ${NAMESPACE} and ${LEFTOVER_NAMESPACE}, where lessons 3–9 run)` },
    provider: COMMON_FLAGS.provider,
    context: COMMON_FLAGS.context,
    help: COMMON_FLAGS.help,
  },
  examples: ['npx tsx tasks/status.ts', 'npx tsx tasks/status.ts --watch', 'npx tsx tasks/status.ts -w -n default | tee status.log'],
}

const clock = (d = new Date()) => d.toISOString().slice(11, 19)

function header(kube: Kube, deps: Deps, watching: boolean): string {
  return `${kube.contextName} (${deps.provider.name}) · ${clock()} UTC${watching ? ' · watching — Ctrl-C to stop' : ''}`
}

async function once(deps: Deps, namespaces: string[]): Promise<void> {
  const kube = deps.kube()
  const objects = await readCluster(kube, namespaces)
  const urls = urlResolver(deps)
  const view = buildView(objects, { urls: await urls.resolveAll(objects.services) })
  const lines = [header(kube, deps, false), ...renderStatus(view, { now: Date.now() }), ...urls.problems()]
  process.stdout.write(redact(`${lines.join('\n')}\n`))
}

/** Watch until Ctrl-C / SIGTERM; resolves after the watches stopped and the terminal is restored. */
async function watchLoop(deps: Deps, namespaces: string[]): Promise<void> {
  const kube = deps.kube()
  const out = process.stdout
  const tty = !!out.isTTY
  let timer: NodeJS.Timeout | undefined
  let shown = new Map<string, string>()
  let shownProblems = ''
  const schedule = () => {
    timer ??= setTimeout(() => {
      timer = undefined
      draw()
    }, 100)
  }
  const urls = urlResolver(deps, schedule)
  const watch = watchCluster(kube, namespaces, schedule)
  const draw = () => {
    // the first picture waits for every collection's first list, so nothing shows up as "gone" or "added" by mistake
    if (!watch.synced() && !watch.problems().length) return
    const objects = watch.objects()
    const view = buildView(objects, { urls: urls.urls(objects.services) })
    const problems = [...watch.problems(), ...urls.problems()]
    if (tty) {
      const lines = [header(kube, deps, true), ...renderStatus(view, { now: Date.now(), color: true }), ...problems.map((p) => `\x1b[33m${p}\x1b[0m`)]
      out.write(redact(frame(lines, out.columns || 120, out.rows || 40)))
      return
    }
    const now = objectLines(view)
    const lines = changeLines(shown, now, clock())
    const p = problems.join('; ')
    if (p !== shownProblems) lines.push(`${clock()} ${p || 'watches back'}`)
    shown = now
    shownProblems = p
    if (lines.length) out.write(redact(`${lines.join('\n')}\n`))
  }
  // a terminal: the alternate screen, cursor hidden; both given back on the way out
  const restore = () => out.write('\x1b[?25h\x1b[?1049l')
  if (tty) {
    out.write('\x1b[?1049h\x1b[?25l')
    // whatever ends the process (a crash included), the terminal comes back
    process.once('exit', restore)
  }
  // stopping is how a watch ends: the run's signal handlers clean up and exit 0 (and the terminal is restored on exit)
  signalsEndNormally()
  // a terminal: ages tick every second; a pipe: only changes. Either way the process waits for a signal
  const ages = setInterval(() => tty && draw(), tty ? 1000 : 3_600_000)
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    process.once('SIGHUP', stop) // the terminal went away
    // a pipe whose reader went away (`| head`): stop too
    out.on('error', stop)
  })
  clearInterval(ages)
  if (timer) clearTimeout(timer)
  await Promise.race([watch.stop(), new Promise((r) => setTimeout(r, 2000).unref())])
  if (tty) {
    process.removeListener('exit', restore)
    restore()
  }
}

const status = defineCommand({
  spec: command,
  // a bad namespace is a usage error before any provider or cluster is looked at
  options: ({ flags }) => ({ namespaces: namespacesOf(flags.namespace as string | undefined), watch: !!flags.watch }),
  guard: { mutates: false },
  run: ({ deps, options }) => (options.watch ? watchLoop(deps, options.namespaces) : once(deps, options.namespaces)),
})

if (isMain(import.meta.url)) {
  await status.main()
  // open sockets of aborted watches must not keep a stopped process alive
  setTimeout(() => process.exit(process.exitCode ?? 0), 500).unref()
}
