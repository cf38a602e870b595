/**
 * The test command: runs the uvu suites (unit, then e2e on a cluster) and hellogopher's Go tests, and ends with
 * ONE line `N passed, N failed` (`, N skipped` when any were) over everything it ran.
 *
 *   npx tsx test/run.ts unit   # no cluster needed (Go tests included; starts a throwaway MariaDB)
 *   npx tsx test/run.ts e2e    # brings the lab cluster up if needed, then every e2e suite
 *   npx tsx test/run.ts all    # both
 *   npx tsx test/run.ts <mode> --list   # runs nothing: checks the expected suites are there and lists the plan
 *   npx tsx test/run.ts unit --only redact,go   # a partial local run (refused with CI set): named suites only (a
 *                                                # suite's path, tasks/lib/redact, or its last part, redact),
 *                                                # the expected-suites check still covers everything
 *
 * The count cannot shrink unseen: failures per suite are max(0, Total − Passed) (uvu's Total excludes skipped
 * tests), a crash or non-zero exit with nothing counted is one more, a suite from test/support/suites.ts that
 * is missing is a failure, and so is a test MariaDB that does not start. With CI set, a `.skip` or `.only` is a
 * failure (elsewhere it is counted and printed).
 *
 * E2E_PROVIDER names the clusters the e2e suites run on, one after the other (default `lab,kind`):
 * - lab: the lab cluster (brought up first; skips what already runs);
 * - kind: a real kind cluster made here offline by the harness (test/support/kind.ts: node image, network, cluster,
 *   metrics-server; deleted afterwards) — or, with E2E_KIND=existing (the GitHub Actions workflow), the kind cluster
 *   the environment already has;
 * - minikube: the minikube cluster the environment has.
 * Suites a provider does not run (lab-only ones) are listed as excepted, with the reason. On the lab, after its e2e
 * suites, two report scripts run and count case by case (test/support/suites.ts LAB_REPORTS): the fault suite
 * (test/faults/run.ts) and the CI slice of upstream Conformance (test/conformance/run.ts --slice ci).
 * Suites this run leaves out (the other mode's, or those --only does not name) are listed and counted, with the reason.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../tasks/lib/tutorial.ts'
import { runCommand, type Ran } from './support/spawn.ts'
import { checkExpected, hasOnly, judgeGo, judgeReport, judgeUvu, type Verdict } from './support/parse.ts'
import { E2E_SUITES, GO_MODULES, LAB_REPORTS, PROVIDERS, UNIT_SUITES, exceptedOn, type E2EProvider } from './support/suites.ts'

interface Suite {
  name: string
  passed: number
  failed: number
  skipped: number
  ms: number
  notes: string[]
}

interface Tally {
  suites: Suite[]
  excepted: Array<{ name: string; reason: string }>
  /** Suites this run leaves out (the mode, --only), each with why: printed and counted, never dropped silently. */
  leftOut: Array<{ name: string; reason: string; suites: number }>
  unexpected: string[]
}

// CI is set (to anything but false/0) by .ci/run and by GitHub Actions; hellogopher's Go tests read it the same way
const CI = !!process.env.CI && !['false', '0'].includes(process.env.CI)

const run = (cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; echo?: boolean } = {}): Promise<Ran> =>
  runCommand(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, echo: opts.echo })

function record(tally: Tally, name: string, v: Verdict, ms: number): void {
  tally.suites.push({ name, passed: v.passed, failed: v.failed, skipped: v.skipped, ms, notes: v.notes })
  for (const n of v.notes) process.stdout.write(`  ${v.failed ? '✖' : '!'} ${name}: ${n}\n`)
}

const failure = (note: string): Verdict => ({ passed: 0, failed: 1, skipped: 0, notes: [note] })

/** Every *.test.ts under dir (fixtures/ aside), as paths relative to it: test/unit mirrors the source tree. */
function suiteFiles(dir: string, sub = ''): string[] {
  return readdirSync(join(dir, sub), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? (e.name === 'fixtures' ? [] : suiteFiles(dir, join(sub, e.name))) : e.name.endsWith('.test.ts') ? [join(sub, e.name)] : []))
    .sort()
}

/** The suites of test/<dir>, checked against the expected list; missing ones are recorded as failures. */
function plan(dir: 'unit' | 'e2e', tally: Tally, expected: readonly string[], excepted: Record<string, string> = {}, label: string = dir): string[] {
  const found = suiteFiles(join(ROOT, 'test', dir))
  const c = checkExpected(found, expected, excepted)
  for (const m of c.missing) record(tally, `${label}/${m}`, failure('expected suite is missing (deleted or renamed? see test/support/suites.ts)'), 0)
  for (const e of c.excepted) tally.excepted.push({ name: `${label}/${e.name}`, reason: e.reason })
  tally.unexpected.push(...c.unexpected.map((u) => `${label}/${u}`).filter((u) => !tally.unexpected.includes(u)))
  return c.run
}

async function uvuSuites(dir: 'unit' | 'e2e', files: string[], tally: Tally, opts: { env?: NodeJS.ProcessEnv; label?: string } = {}): Promise<void> {
  const label = opts.label ?? dir
  for (const f of files) {
    const t0 = Date.now()
    const path = join('test', dir, f)
    process.stdout.write(`\n── ${label}/${f}\n`)
    const r = await run('npx', ['tsx', path], { env: opts.env })
    const only = hasOnly(readFileSync(join(ROOT, path), 'utf8'))
    record(tally, `${label}/${f}`, judgeUvu(r.out, r.code, { ci: CI, only }), Date.now() - t0)
  }
}

/** The throwaway MariaDB some Go tests need; a start that fails is a failure in the count, not a message. */
async function startMariadb(tally: Tally): Promise<NodeJS.ProcessEnv> {
  const t0 = Date.now()
  // starts (or finds) a throwaway MariaDB on 127.0.0.1:3307 and prints its TEST_MYSQL_* settings
  const db = await run('bash', ['test/support/mariadb.sh', 'start'], { echo: false })
  const env: NodeJS.ProcessEnv = {}
  for (const m of db.out.matchAll(/(TEST_MYSQL_\w+)=(\S+)/g)) env[m[1]!] = m[2]!
  if (db.code !== 0 || !env.TEST_MYSQL_HOST) {
    process.stdout.write(db.out.replace(/^/gm, '    '))
    record(tally, 'test MariaDB (mariadb.sh start)', failure(`did not start (exit code ${db.code}): the Go database tests cannot run`), Date.now() - t0)
  }
  return env
}

async function goTests(tally: Tally): Promise<void> {
  const dbEnv = GO_MODULES.some((m) => m.mariadb) ? await startMariadb(tally) : {}
  for (const mod of GO_MODULES) {
    process.stdout.write(`\n── go test ./... (${mod.dir})\n`)
    const t0 = Date.now()
    const r = await run('go', ['test', '-json', '-count=1', './...'], { cwd: join(ROOT, mod.dir), env: mod.mariadb ? dbEnv : {}, echo: false })
    for (const line of r.out.split('\n')) {
      try {
        const ev = JSON.parse(line) as { Action?: string; Test?: string; Output?: string }
        if (ev.Test && (ev.Action === 'pass' || ev.Action === 'fail' || ev.Action === 'skip')) process.stdout.write(`  ${ev.Action.padEnd(4)} ${ev.Test}\n`)
        if ((ev.Action === 'output' || ev.Action === 'build-output') && r.code !== 0) process.stdout.write(`    ${ev.Output ?? ''}`)
      } catch {
        if (line.trim()) process.stdout.write(`  ${line}\n`)
      }
    }
    const v = judgeGo(r.out, r.code, { ci: CI })
    record(tally, `go test ./${mod.dir}/...`, v, Date.now() - t0)
    for (const pkg of mod.packages) {
      const seen = v.report.packages.get(pkg)
      if (!seen) record(tally, `go package ${pkg}`, failure('expected Go package reported no result (missing or renamed? see test/support/suites.ts)'), 0)
      else if (seen === 'skip') record(tally, `go package ${pkg}`, failure('expected Go package has no test files'), 0)
    }
  }
}

/** The lab's report scripts (fault suite, Conformance slice), each counted by its closing line. */
async function labReports(names: readonly string[], tally: Tally, label: string): Promise<void> {
  for (const rep of LAB_REPORTS.filter((r) => names.includes(r.name))) {
    const t0 = Date.now()
    process.stdout.write(`\n── ${label}/${rep.name} (npx tsx ${rep.args.join(' ')})\n`)
    const r = await run('npx', ['tsx', ...rep.args], { env: { E2E_PROVIDER: 'lab' } })
    record(tally, `${label}/${rep.name}`, judgeReport(r.out, r.code), Date.now() - t0)
  }
}

async function labUp(tally: Tally): Promise<boolean> {
  process.stdout.write('\n── lab cluster (tasks/lab/up.ts; skips what already runs)\n')
  const r = await run('npx', ['tsx', 'tasks/lab/up.ts'])
  if (r.code === 0) return true
  record(tally, 'lab up', failure('the lab cluster did not come up: e2e suites cannot run'), 0)
  return false
}

/** `e2e` when one provider runs, `e2e[kind]` etc. when several do (the same suite counts once per cluster). */
const e2eLabel = (provider: E2EProvider, all: E2EProvider[]): string => (all.length > 1 ? `e2e[${provider}]` : 'e2e')

/** The e2e suites on one provider, after bringing its cluster up (lab; kind through the harness). */
async function e2eOn(provider: E2EProvider, files: string[], reports: readonly string[], tally: Tally, label: string): Promise<void> {
  const notRun = (why: string) => {
    for (const f of [...files, ...reports]) record(tally, `${label}/${f}`, failure(`not run: ${why}`), 0)
  }
  if (provider === 'lab') {
    if (await labUp(tally)) {
      await uvuSuites('e2e', files, tally, { label, env: { E2E_PROVIDER: 'lab' } })
      await labReports(reports, tally, label)
    } else notRun('the lab cluster did not come up')
    return
  }
  if (provider === 'kind' && process.env.E2E_KIND !== 'existing') {
    // the harness runs kind's nodes on the lab's dockerd: the lab comes first
    if (!(await labUp(tally))) return notRun('the lab (whose dockerd runs the kind nodes) did not come up')
    process.stdout.write('\n── kind cluster (test/support/kind.ts up: offline node image, network, cluster, metrics-server)\n')
    const t0 = Date.now()
    const up = await run('npx', ['tsx', 'test/support/kind.ts', 'up'])
    if (up.code !== 0) {
      record(tally, 'kind up (test/support/kind.ts)', failure('the kind cluster did not come up: its e2e suites cannot run'), Date.now() - t0)
      return notRun('the kind cluster did not come up')
    }
    const { kindEnv } = await import('./support/kind.ts')
    try {
      await uvuSuites('e2e', files, tally, { label, env: kindEnv(process.env) })
    } finally {
      process.stdout.write('\n── kind cluster down (test/support/kind.ts down)\n')
      await run('npx', ['tsx', 'test/support/kind.ts', 'down'])
    }
    return
  }
  await uvuSuites('e2e', files, tally, { label, env: { E2E_PROVIDER: provider } })
}

function summary(tally: Tally, t0: number): void {
  process.stdout.write('\n── summary\n')
  for (const s of tally.suites) {
    process.stdout.write(`  ${s.failed ? 'FAIL' : 'ok  '} ${s.name.padEnd(40)} ${s.passed} passed, ${s.failed} failed${s.skipped ? `, ${s.skipped} skipped` : ''} (${(s.ms / 1000).toFixed(1)}s)\n`)
    if (s.failed) for (const n of s.notes) process.stdout.write(`         ${n}\n`)
  }
  for (const e of tally.excepted) process.stdout.write(`  --   ${e.name.padEnd(40)} excepted (${e.reason})\n`)
  for (const l of tally.leftOut) process.stdout.write(`  --   ${l.name.padEnd(40)} left out (${l.reason})\n`)
  const leftOut = tally.leftOut.reduce((n, l) => n + l.suites, 0)
  for (const u of tally.unexpected) process.stdout.write(`  new  ${u.padEnd(40)} not in test/support/suites.ts: add it there (it runs and counts)\n`)
  if (tally.excepted.length) process.stdout.write(`  ${tally.excepted.length} suite(s) excepted on this provider\n`)
  if (leftOut) process.stdout.write(`  ${leftOut} suite(s) left out of this run\n`)
  process.stdout.write(`  wall time ${((Date.now() - t0) / 1000).toFixed(0)}s\n`)
}

function usage(msg: string): never {
  process.stderr.write(`test/run.ts: ${msg}\n`)
  process.exit(2)
}

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  const list = args.includes('--list')
  let only: Set<string> | undefined
  const rest: string[] = []
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (a === '--list') continue
    if (a === '--only' || a.startsWith('--only=')) {
      const v = a === '--only' ? args[++i] : a.slice('--only='.length)
      if (!v) usage('--only needs suite names, e.g. --only redact,go')
      only = new Set(v.split(',').map((n) => n.trim().replace(/\.test\.ts$/, '')))
      continue
    }
    rest.push(a)
  }
  const mode = rest[0] ?? 'all'
  if (!['unit', 'e2e', 'all'].includes(mode) || rest.length > 1) usage(`unknown arguments '${rest.join(' ')}' (unit, e2e or all; optionally --list or --only <suites>)`)
  if (only && CI) usage('--only is for local runs; with CI set every suite runs')
  const providers = (process.env.E2E_PROVIDER || 'lab,kind').split(',').map((p) => p.trim()) as E2EProvider[]
  for (const provider of providers) {
    if (!PROVIDERS.includes(provider)) {
      process.stderr.write(`test/run.ts: unknown E2E_PROVIDER '${provider}' (${PROVIDERS.join(', ')}, or several separated by commas)\n`)
      process.exit(2)
    }
  }
  const tally: Tally = { suites: [], excepted: [], leftOut: [], unexpected: [] }
  const t0 = Date.now()
  // --only takes a suite's path without .test.ts (tasks/lib/redact) or its last part (redact: every suite of that name)
  const names = (f: string) => [f.replace(/\.test\.ts$/, ''), f.replace(/^.*\//, '').replace(/\.test\.ts$/, '')]
  const chosen = (f: string) => !only || names(f).some((n) => only!.has(n))
  const notNamed = `not named by --only ${[...(only ?? [])].join(',')}`
  /** The planned suites this run runs; the others are recorded as left out, with the reason. */
  const choose = (label: string, files: string[]): string[] => {
    for (const f of files) if (!chosen(f)) tally.leftOut.push({ name: `${label}/${f}`, reason: notNamed, suites: 1 })
    return files.filter(chosen)
  }
  const unit = mode !== 'e2e' ? choose('unit', plan('unit', tally, UNIT_SUITES)) : []
  const all = (n: number) => `*.test.ts (${n} suites)`
  if (mode === 'e2e') tally.leftOut.push({ name: `unit/${all(UNIT_SUITES.length)}`, reason: 'an e2e run: `npx tsx test/run.ts unit` runs them', suites: UNIT_SUITES.length })
  const e2eBy = new Map<E2EProvider, string[]>()
  const reportsBy = new Map<E2EProvider, string[]>()
  for (const provider of providers) {
    const label = e2eLabel(provider, providers)
    if (mode === 'unit') {
      tally.leftOut.push({ name: `${label}/${all(E2E_SUITES.length)}`, reason: 'a unit run: they need a cluster (`npx tsx test/run.ts e2e`)', suites: E2E_SUITES.length })
      if (provider === 'lab') for (const r of LAB_REPORTS) tally.leftOut.push({ name: `${label}/${r.name}`, reason: 'a unit run: it needs the lab', suites: 1 })
      continue
    }
    e2eBy.set(provider, choose(label, plan('e2e', tally, E2E_SUITES, exceptedOn(provider), label)))
    if (provider === 'lab') reportsBy.set(provider, choose(label, LAB_REPORTS.map((r) => r.name)))
    else for (const r of LAB_REPORTS) tally.excepted.push({ name: `${label}/${r.name}`, reason: `lab only: ${r.why}` })
  }
  const go = mode !== 'e2e' && (!only || only.has('go'))
  if (!go) for (const m of GO_MODULES) tally.leftOut.push({ name: `go test ./... in ${m.dir}`, reason: mode === 'e2e' ? 'an e2e run: `npx tsx test/run.ts unit` runs it' : notNamed, suites: 1 })
  if (only) {
    const known = new Set([...UNIT_SUITES, ...E2E_SUITES].flatMap(names).concat('go', ...LAB_REPORTS.map((r) => r.name)))
    const unknown = [...only].filter((n) => !known.has(n))
    if (unknown.length) usage(`--only: no suite named ${unknown.join(', ')}`)
    process.stdout.write(`partial run (--only ${[...only].join(',')}): the other suites are not run\n`)
  }

  if (list) {
    process.stdout.write(`would run (E2E_PROVIDER=${providers.join(',')}${CI ? ', CI' : ''}):\n`)
    for (const f of unit) process.stdout.write(`  unit/${f}\n`)
    if (go) for (const m of GO_MODULES) process.stdout.write(`  go test ./... in ${m.dir} (expects ${m.packages.join(', ')})\n`)
    for (const [p, files] of e2eBy) {
      for (const f of files) process.stdout.write(`  ${e2eLabel(p, providers)}/${f}\n`)
      for (const r of LAB_REPORTS.filter((x) => reportsBy.get(p)?.includes(x.name))) process.stdout.write(`  ${e2eLabel(p, providers)}/${r.name}: npx tsx ${r.args.join(' ')}\n`)
    }
  } else {
    // the Debian packages the suites use (installed when root on Debian; otherwise named): npm test alone must work
    await run('bash', ['test/support/packages.sh'])
    await uvuSuites('unit', unit, tally)
    if (go) await goTests(tally)
    for (const [provider, files] of e2eBy) {
      const reports = reportsBy.get(provider) ?? []
      if (!files.length && !reports.length && only) continue
      await e2eOn(provider, files, reports, tally, e2eLabel(provider, providers))
    }
  }
  summary(tally, t0)
  if (only) process.stdout.write(`  partial run: only ${[...only].join(', ')}\n`)
  const passed = tally.suites.reduce((n, s) => n + s.passed, 0)
  let failed = tally.suites.reduce((n, s) => n + s.failed, 0)
  const skipped = tally.suites.reduce((n, s) => n + s.skipped, 0)
  if (!list && passed + failed === 0) failed = 1 // nothing ran: that is a failure, not a pass
  process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`)
  process.exitCode = failed ? 1 : 0
}

await main()
