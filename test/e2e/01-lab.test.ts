/** Lesson 1 on the lab: one node Ready, seen with the kubectl the lab built; a second `lab up` only checks. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { BIN_DIR, K8S_VERSION } from '../../tasks/lab/paths.ts'
import { expectOk, kubectl, stepLines, task } from './helpers.ts'

test('kubectl get nodes: one node, Ready', async () => {
  const r = await kubectl(['get', 'nodes', '--no-headers'])
  await expectOk(r, 'kubectl get nodes')
  const rows = r.stdout.trim().split('\n')
  assert.is(rows.length, 1, r.stdout)
  assert.match(rows[0]!, /\sReady\s/)
  assert.match(rows[0]!, new RegExp(K8S_VERSION.replace(/\./g, '\\.')))
})

test('the kubectl used is the one the lab built, at the real version', async () => {
  const r = await kubectl(['version', '--client'])
  await expectOk(r, 'kubectl version')
  assert.match(r.stdout, new RegExp(`Client Version: ${K8S_VERSION}`))
  const which = await kubectl(['config', 'current-context'])
  assert.is(which.stdout.trim(), 'learn-k8s-lab')
  assert.ok(BIN_DIR.length > 0)
})

test('kubectl top nodes answers with numbers (metrics-server behind the aggregation layer)', async () => {
  // the first scrape lands 15–60 s after metrics-server starts; until then `top` says metrics are not available
  const deadline = Date.now() + 120_000
  let r = await kubectl(['top', 'nodes', '--no-headers'])
  while (r.code !== 0 && Date.now() < deadline) {
    await new Promise((res) => setTimeout(res, 5000))
    r = await kubectl(['top', 'nodes', '--no-headers'])
  }
  await expectOk(r, 'kubectl top nodes')
  assert.match(r.stdout, /^learn-k8s-lab\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%/m, r.stdout)
})

test('a second lab up skips every step', async () => {
  const r = await task('lab/up.ts')
  await expectOk(r, 'lab up (second run)')
  const s = stepLines(r.stdout)
  // the last step only checks readiness and has nothing to skip; every other one must say why it skipped
  assert.is(s.failed.length, 0)
  assert.ok(s.skipped.length >= 14, `expected ≥14 skipped steps, got ${s.skipped.length}:\n${r.stdout}`)
  assert.equal(s.done.filter((l) => !/Ready, ServiceAccount/.test(l)), [], `steps that did work on a second run:\n${s.done.join('\n')}`)
  process.stdout.write(`    second lab up: ${r.ms} ms\n`)
})

test.run()
