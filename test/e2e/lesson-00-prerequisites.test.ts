/** Lesson 0 on the lab: the tool report names each tool with the version the tool itself gives, and hints for the missing ones. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { E2E_PROVIDER, expectOk, lesson, sh, task, type Ran } from './helpers.ts'

let run: Ran

test('lesson 0 reports the tools with their versions; the lab provider can run', async () => {
  const r = (run = await lesson(0))
  await expectOk(r, 'lesson 0')
  assert.match(r.stdout, /✔ kubectl\s+\d+\.\d+\.\d+\s+\//)
  assert.match(r.stdout, /✔ docker\s+\d+\.\d+\.\d+\s+\//)
  assert.match(r.stdout, /✔ go\s+\d+\.\d+(\.\d+)?\s+\//)
  // a missing tool comes with how to get it
  for (const m of r.stdout.matchAll(/✖ (\w+)\s+missing\s+(.*)$/gm)) assert.match(m[2]!, /install|use --provider/, m[0])
  assert.match(r.stdout, new RegExp(`${E2E_PROVIDER}\\s+✔ usable .*← selected`))
  assert.match(r.stdout, new RegExp(`Seen: .*the ${E2E_PROVIDER} provider can run here`))
})

test('independent: the versions in the report are the ones the tools print', async () => {
  const r = run
  const go = await sh('go', ['version'])
  const goVersion = /go version go(\S+)/.exec(go.stdout)?.[1]
  assert.ok(goVersion, go.stdout)
  assert.match(r.stdout, new RegExp(`✔ go\\s+${goVersion!.replace(/\./g, '\\.')}\\s`))
  const docker = await sh('docker', ['version', '--format', '{{.Client.Version}}'])
  assert.match(r.stdout, new RegExp(`✔ docker\\s+${docker.stdout.trim().replace(/\./g, '\\.')}\\s`))
  const kubectl = await sh('kubectl', ['version', '--client'])
  const kv = /Client Version: v(\S+)/.exec(kubectl.stdout)?.[1]
  assert.match(r.stdout, new RegExp(`✔ kubectl\\s+${kv!.replace(/\./g, '\\.')}\\s`))
  // the standalone doctor says the same
  const doctor = await task('doctor.ts')
  await expectOk(doctor, 'doctor')
  assert.match(doctor.stdout, new RegExp(`✔ go\\s+${goVersion!.replace(/\./g, '\\.')}\\s`))
})

test.run()
