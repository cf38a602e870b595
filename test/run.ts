/**
 * The test command: runs the uvu suites (unit, then e2e on the lab cluster) and hellogopher's Go tests,
 * and ends with ONE line `N passed, N failed` over everything it ran, so a run that executed nothing shows.
 *
 *   npx tsx test/run.ts unit   # no cluster needed (Go tests included; starts a throwaway MariaDB)
 *   npx tsx test/run.ts e2e    # brings the lab cluster up if needed, then every e2e suite
 *   npx tsx test/run.ts all    # both
 *
 * E2E_PROVIDER=kind (the GitHub Actions workflow): the e2e suites run on the kind cluster up.ts made, the lab is
 * not started, and lab-only suites (`*-lab.test.ts`, `*-lab-*.test.ts`) are left out.
 */
import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../tasks/lib/context.ts'

interface Tally {
  passed: number
  failed: number
  skipped: number
  suites: Array<{ name: string; passed: number; failed: number; skipped: number; ms: number }>
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; echo?: boolean } = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    const onData = (d: Buffer) => {
      out += d.toString()
      if (opts.echo !== false) process.stdout.write(d)
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('close', (code) => resolve({ code: code ?? 1, out }))
    child.on('error', (e) => resolve({ code: 127, out: String(e) }))
  })
}

/** uvu prints `Total: N`, `Passed: N`, `Skipped: N` at the end of a file's run. */
export function parseUvu(out: string): { total: number; passed: number; skipped: number } | undefined {
  // eslint-disable-next-line no-control-regex
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '')
  const total = /Total:\s+(\d+)/.exec(plain)
  const passed = /Passed:\s+(\d+)/.exec(plain)
  const skipped = /Skipped:\s+(\d+)/.exec(plain)
  if (!total || !passed) return undefined
  return { total: Number(total[1]), passed: Number(passed[1]), skipped: Number(skipped?.[1] ?? 0) }
}

/** `go test -json` events: one pass/fail/skip per test (subtests included). */
export function parseGoJson(out: string): { passed: number; failed: number; skipped: number; buildFailed: boolean } {
  let passed = 0
  let failed = 0
  let skipped = 0
  let buildFailed = false
  for (const line of out.split('\n')) {
    if (!line.startsWith('{')) {
      if (/build failed|setup failed|cannot find package/.test(line)) buildFailed = true
      continue
    }
    let ev: { Action?: string; Test?: string }
    try {
      ev = JSON.parse(line)
    } catch {
      continue
    }
    if (!ev.Test) {
      if (ev.Action === 'fail' && !passed && !failed) buildFailed = true
      continue
    }
    if (ev.Action === 'pass') passed++
    else if (ev.Action === 'fail') failed++
    else if (ev.Action === 'skip') skipped++
  }
  return { passed, failed, skipped, buildFailed }
}

async function uvuSuites(dir: string, tally: Tally, env: NodeJS.ProcessEnv = {}, keep: (file: string) => boolean = () => true): Promise<void> {
  const files = readdirSync(join(ROOT, 'test', dir))
    .filter((f) => f.endsWith('.test.ts') && keep(f))
    .sort()
  if (!files.length) {
    process.stdout.write(`no ${dir} suites found in test/${dir}\n`)
    tally.failed++
    return
  }
  for (const f of files) {
    const t0 = Date.now()
    process.stdout.write(`\n── ${dir}/${f}\n`)
    const r = await run('npx', ['tsx', join('test', dir, f)], { env })
    const p = parseUvu(r.out)
    const ms = Date.now() - t0
    if (!p) {
      // crashed before uvu could report: count the whole file as one failure
      tally.failed++
      tally.suites.push({ name: `${dir}/${f}`, passed: 0, failed: 1, skipped: 0, ms })
      continue
    }
    const failed = p.total - p.passed - p.skipped + (r.code !== 0 && p.total === p.passed + p.skipped ? 1 : 0)
    tally.passed += p.passed
    tally.failed += failed
    tally.skipped += p.skipped
    tally.suites.push({ name: `${dir}/${f}`, passed: p.passed, failed, skipped: p.skipped, ms })
  }
}

async function goTests(tally: Tally): Promise<void> {
  process.stdout.write('\n── go test ./... (hellogopher)\n')
  const t0 = Date.now()
  // the database tests run against a real MariaDB; this starts a throwaway one on 127.0.0.1:3307
  const db = await run('bash', ['test/support/mariadb.sh', 'start'], { echo: false })
  const env: NodeJS.ProcessEnv = {}
  for (const m of db.out.matchAll(/(TEST_MYSQL_\w+)=(\S+)/g)) env[m[1]!] = m[2]!
  if (db.code !== 0) process.stdout.write(`could not start the test MariaDB:\n${db.out}\n`)
  const r = await run('go', ['test', '-json', '-count=1', './...'], { cwd: join(ROOT, 'hellogopher'), env, echo: false })
  const g = parseGoJson(r.out)
  for (const line of r.out.split('\n')) {
    try {
      const ev = JSON.parse(line) as { Action?: string; Test?: string; Elapsed?: number }
      if (ev.Test && (ev.Action === 'pass' || ev.Action === 'fail' || ev.Action === 'skip')) process.stdout.write(`  ${ev.Action.padEnd(4)} ${ev.Test}\n`)
      if (ev.Action === 'output' && r.code !== 0) process.stdout.write(`    ${(ev as { Output?: string }).Output ?? ''}`)
    } catch {
      if (line.trim()) process.stdout.write(`  ${line}\n`)
    }
  }
  const failed = g.failed + (g.buildFailed || (r.code !== 0 && g.failed === 0) ? 1 : 0)
  tally.passed += g.passed
  tally.failed += failed
  tally.skipped += g.skipped
  tally.suites.push({ name: 'go test ./hellogopher/...', passed: g.passed, failed, skipped: g.skipped, ms: Date.now() - t0 })
}

async function labUp(tally: Tally): Promise<boolean> {
  process.stdout.write('\n── lab cluster (tasks/lab/up.ts; skips what already runs)\n')
  const r = await run('npx', ['tsx', 'tasks/lab/up.ts'])
  if (r.code !== 0) {
    process.stdout.write('the lab cluster did not come up: e2e suites cannot run\n')
    tally.failed++
    tally.suites.push({ name: 'lab up', passed: 0, failed: 1, skipped: 0, ms: 0 })
    return false
  }
  return true
}

async function main(): Promise<void> {
  const mode = process.argv[2] ?? 'all'
  if (!['unit', 'e2e', 'all'].includes(mode)) {
    process.stderr.write(`test/run.ts: unknown mode '${mode}' (unit, e2e or all)\n`)
    process.exit(2)
  }
  const provider = process.env.E2E_PROVIDER || 'lab'
  if (!['lab', 'kind'].includes(provider)) {
    process.stderr.write(`test/run.ts: unknown E2E_PROVIDER '${provider}' (lab or kind)\n`)
    process.exit(2)
  }
  const tally: Tally = { passed: 0, failed: 0, skipped: 0, suites: [] }
  const t0 = Date.now()
  if (mode !== 'e2e') {
    await uvuSuites('unit', tally)
    await goTests(tally)
  }
  if (mode !== 'unit') {
    if (provider === 'kind') await uvuSuites('e2e', tally, {}, (f) => !/-lab[.-]/.test(f))
    else if (await labUp(tally)) await uvuSuites('e2e', tally)
  }
  process.stdout.write('\n── summary\n')
  for (const s of tally.suites) process.stdout.write(`  ${s.failed ? 'FAIL' : 'ok  '} ${s.name.padEnd(40)} ${s.passed} passed, ${s.failed} failed${s.skipped ? `, ${s.skipped} skipped` : ''} (${(s.ms / 1000).toFixed(1)}s)\n`)
  process.stdout.write(`  wall time ${((Date.now() - t0) / 1000).toFixed(0)}s\n`)
  const total = tally.passed + tally.failed
  if (total === 0) tally.failed = 1 // nothing ran: that is a failure, not a pass
  process.stdout.write(`${tally.passed} passed, ${tally.failed} failed${tally.skipped ? `, ${tally.skipped} skipped` : ''}\n`)
  process.exitCode = tally.failed ? 1 : 0
}

await main()
