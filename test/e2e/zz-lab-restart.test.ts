/**
 * Last suite: `lab down` leaves no lab process, iptables chain, interface or mount behind; `lab up` then
 * brings a Ready node back from the cache (the warm start-to-Ready time is printed, not asserted).
 */
import { readFileSync, readdirSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { BIN_DIR } from '../../tasks/lab/engine/paths.ts'
import { labMounts } from '../../tasks/lab/engine/teardown.ts'
import { expectOk, kubectl, sh, task } from './helpers.ts'

/** Processes whose executable is one the lab runs (by /proc, not by our own pid files). */
function labProcesses(): string[] {
  const ours = [BIN_DIR, '/usr/bin/containerd ', '/usr/sbin/dockerd']
  const found: string[] = []
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let cmd = ''
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')
    } catch {
      continue // exited while we looked
    }
    if (ours.some((o) => cmd.startsWith(o)) && cmd.includes('learn-k8s-easy')) found.push(`${pid} ${cmd.slice(0, 120)}`)
  }
  return found
}

test('lab down: no lab process, no KUBE-/CNI- chains, no cni0/k8slab0, no lab mounts', async () => {
  const r = await task('lab/down.ts')
  await expectOk(r, 'lab down')
  assert.equal(labProcesses(), [], 'lab processes still running')
  // a failing iptables-save or ip prints nothing, which would pass the checks below: their exit codes count
  const save = await sh('iptables-save', [])
  await expectOk(save, 'iptables-save')
  assert.not.match(save.stdout, /KUBE-|CNI-/, 'lab iptables chains left')
  const links = await sh('ip', ['-o', 'link', 'show'])
  await expectOk(links, 'ip -o link show')
  assert.match(links.stdout, /^\d+: lo[:@]/m, `ip printed no loopback, so its output is not a link list:\n${links.stdout}`)
  assert.not.match(links.stdout, /: (cni0|k8slab0)[:@]/)
  assert.equal(labMounts(readFileSync('/proc/self/mountinfo', 'utf8')), [])
})

test('lab up from the cache: node Ready again', async () => {
  const r = await task('lab/up.ts')
  await expectOk(r, 'lab up after down')
  assert.match(r.stdout, /SKIPPED: Kubernetes v[\d.]+ and etcd v[\d.]+ cached/, 'the build cache was not used')
  const nodes = await kubectl(['get', 'nodes', '--no-headers'])
  await expectOk(nodes, 'kubectl get nodes')
  assert.match(nodes.stdout, /^learn-k8s-lab\s+Ready\s/m, nodes.stdout)
  process.stdout.write(`    warm start-to-Ready: ${r.ms} ms\n`)
})

test.run()
