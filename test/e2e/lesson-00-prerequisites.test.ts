/** Lesson 0 on the lab: the tool report names each tool with the version the tool itself gives, and hints for the missing ones. */
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ROOT } from '../../tasks/lib/tutorial.ts'
import { E2E_PROVIDER, expectOk, lesson, sh, task, type Ran } from './helpers.ts'

let run: Ran

test('lesson 0 reports the tools with their versions; the lab provider can run', async () => {
  const r = (run = await lesson(0))
  await expectOk(r, 'lesson 0')
  assert.match(r.stdout, /✔ kubectl\s+\d+\.\d+\.\d+\s+\//)
  assert.match(r.stdout, /✔ docker\s+\d+\.\d+\.\d+\s+\//)
  assert.match(r.stdout, /✔ go\s+\d+\.\d+(\.\d+)?\s+\//)
  assert.match(r.stdout, new RegExp(`${E2E_PROVIDER}\\s+✔ usable .*← selected`))
  assert.match(r.stdout, new RegExp(`Seen: .*the ${E2E_PROVIDER} provider can run here`))
})

test('independent: the versions in the report are the ones the tools print', async () => {
  const r = run
  const go = await sh('go', ['version'])
  const goVersion = /go version go(\S+)/.exec(go.stdout)?.[1]
  assert.ok(goVersion, go.stdout)
  assert.match(r.stdout, new RegExp(`✔ go\\s+${goVersion!.replace(/\./g, '\\.')}\\s`))
  // an empty answer would make the pattern below match any version: the tool must answer with one
  const docker = await sh('docker', ['version', '--format', '{{.Client.Version}}'])
  await expectOk(docker, 'docker version')
  const dv = docker.stdout.trim()
  assert.match(dv, /^\d+\.\d+\.\d+/, `docker version printed ${JSON.stringify(docker.stdout)}`)
  assert.match(r.stdout, new RegExp(`✔ docker\\s+${dv.replace(/\./g, '\\.')}\\s`))
  const kubectl = await sh('kubectl', ['version', '--client'])
  await expectOk(kubectl, 'kubectl version --client')
  const kv = /Client Version: v(\d+\.\d+\.\d+\S*)/.exec(kubectl.stdout)?.[1]
  assert.ok(kv, `kubectl version printed no client version:\n${kubectl.stdout}`)
  assert.match(r.stdout, new RegExp(`✔ kubectl\\s+${kv.replace(/\./g, '\\.')}\\s`))
  // the standalone doctor says the same
  const doctor = await task('doctor.ts')
  await expectOk(doctor, 'doctor')
  assert.match(doctor.stdout, new RegExp(`✔ go\\s+${goVersion!.replace(/\./g, '\\.')}\\s`))
})

test('with the tools hidden from PATH, each is reported missing with how to get it, and lesson 0 fails', async () => {
  // a PATH with only a shell: kubectl, docker, go, minikube and kind are all missing for this run (nothing else changes)
  const dir = mkdtempSync(join(tmpdir(), 'lesson0-path-'))
  try {
    for (const bin of ['bash', 'sh']) {
      const where = await sh('sh', ['-c', `command -v ${bin}`])
      await expectOk(where, `command -v ${bin}`)
      symlinkSync(where.stdout.trim(), join(dir, bin))
    }
    const env = { ...process.env, PATH: dir }
    const tsx = [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs')]
    const doctor = await sh(process.execPath, [...tsx, 'tasks/doctor.ts'], { env })
    assert.is.not(doctor.code, 0, 'doctor with no tool at all must fail')
    const hints: Record<string, RegExp> = { kubectl: /^install kubectl/, docker: /^install Docker/, go: /^install Go/, minikube: /^install minikube/, kind: /^install kind/ }
    for (const [tool, hint] of Object.entries(hints)) {
      const line = new RegExp(`✖ ${tool}\\s+missing\\s+(.+)$`, 'm').exec(doctor.stdout)
      assert.ok(line, `no missing line for ${tool}:\n${doctor.stdout}`)
      assert.match(line[1]!, hint, line[0])
    }
    const l0 = await sh(process.execPath, [...tsx, 'tasks/lesson.ts', '0', ...(E2E_PROVIDER === 'lab' ? [] : ['--provider', E2E_PROVIDER])], { env })
    assert.is.not(l0.code, 0, 'lesson 0 with its tools missing must fail')
    assert.match(l0.stdout + l0.stderr, /docker: missing — install Docker/)
    assert.match(l0.stdout + l0.stderr, /go: missing — install Go/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
