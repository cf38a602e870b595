/**
 * Lesson 1 on the lab: one node Ready, seen with the kubectl the lab built; a second `lab up` only checks
 * (no lab process restarted, no cluster object it manages rewritten or recreated).
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Ref } from '../../tasks/lib/kube.ts'
import { BIN_DIR, K8S_VERSION } from '../../tasks/lab/engine/paths.ts'
import { NODE_NAME } from '../../tasks/lab/engine/pki.ts'
import { METRICS_MANIFEST, yamlObjects } from '../../tasks/lab/engine/steps.ts'
import { expectOk, kubectl, sh, stepLines, task, versionsOf } from './helpers.ts'

/** The lab's own processes (its builds under BIN_DIR, its containerd and dockerd), pid and command line, from /proc. */
function labPids(): string[] {
  const found: string[] = []
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')
      const ours = cmd.startsWith(`${BIN_DIR}/`) || (/^\/usr\/(bin\/containerd|sbin\/dockerd) /.test(cmd) && cmd.includes('learn-k8s-easy'))
      if (ours) found.push(`${pid} ${cmd.slice(0, 100)}`)
    } catch {
      // exited while we looked
    }
  }
  return found.sort()
}

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
  const context = await kubectl(['config', 'current-context'])
  await expectOk(context, 'kubectl config current-context')
  assert.is(context.stdout.trim(), 'learn-k8s-lab')
  // the kubectl a learner's shell (and these suites) resolve is the lab's build, not one from the host
  const which = await sh('sh', ['-c', 'command -v kubectl'])
  await expectOk(which, 'command -v kubectl')
  assert.is(which.stdout.trim(), join(BIN_DIR, 'kubectl'))
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

test('a second lab up changes nothing: same processes, same objects, every step skipped', async () => {
  // what lab up manages in the cluster: the node and the metrics-server registration
  const refs: Ref[] = [
    { apiVersion: 'v1', kind: 'Node', name: NODE_NAME },
    { apiVersion: 'v1', kind: 'ServiceAccount', name: 'default', namespace: 'default' },
    ...yamlObjects(readFileSync(METRICS_MANIFEST, 'utf8')).map((o) => ({ apiVersion: o.apiVersion!, kind: o.kind!, name: o.metadata!.name!, namespace: o.metadata?.namespace })),
  ]
  const pidsBefore = labPids()
  const before = await versionsOf(refs)
  assert.ok(pidsBefore.some((p) => / \S*kube-apiserver /.test(p)), `no kube-apiserver among the lab processes:\n${pidsBefore.join('\n')}`)
  assert.equal(Object.entries(before).filter(([, v]) => v === 'absent'), [], 'lab objects missing before the second run')

  const r = await task('lab/up.ts')
  await expectOk(r, 'lab up (second run)')
  assert.equal(labPids(), pidsBefore, 'a lab process was restarted or started by the second run')
  // Node status is written by the kubelet every few seconds: only its uid counts
  const uidOnly = (v: Record<string, string>) => ({ ...v, [`Node/${NODE_NAME}`]: v[`Node/${NODE_NAME}`]!.replace(/ resourceVersion=\S+/, '') })
  assert.equal(uidOnly(await versionsOf(refs)), uidOnly(before), 'objects rewritten or recreated by the second run')

  const s = stepLines(r.stdout)
  // the last step only checks readiness and has nothing to skip; every other one must say why it skipped
  assert.is(s.failed.length, 0)
  assert.ok(s.skipped.length >= 14, `expected ≥14 skipped steps, got ${s.skipped.length}:\n${r.stdout}`)
  assert.equal(s.done.filter((l) => !/Ready, ServiceAccount/.test(l)), [], `steps that did work on a second run:\n${s.done.join('\n')}`)
  process.stdout.write(`    second lab up: ${r.ms} ms\n`)
})

test.run()
