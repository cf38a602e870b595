/**
 * Lesson 8 on the lab: the 2.0 pod's log says `Timeout triggered` (followed by this test itself while the lesson
 * runs), a command runs inside the 3.0 pod, and the OOM demo pod ends OOMKilled with exit code 137.
 */
import { spawn } from 'node:child_process'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { V1Pod } from '../../tasks/lib/kube.ts'
import { isPodReady } from '../../tasks/lib/kube-state.ts'
import { expectOk, kube, kubectl, labEnv, lesson, watchWhile } from './helpers.ts'

const NS = 'default'
const V2 = 'programmingpercy/hellogopher:2.0'

/** `kubectl logs -f` on a pod, kept until the pod goes; resolves with what it printed. */
function followLogs(pod: string): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('kubectl', ['logs', '-f', pod, '-n', NS], { env: labEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
      if (/Timeout triggered/.test(out)) child.kill()
    })
    const timer = setTimeout(() => child.kill(), 90_000)
    child.on('close', () => (clearTimeout(timer), resolve(out)))
  })
}

test('lesson 8: Timeout triggered in the log, exec works, OOMKilled 137', async () => {
  const followed = new Map<string, Promise<string>>()
  const { result: r } = await watchWhile(NS, () => lesson(8), (p: V1Pod) => {
    const name = p.metadata?.name ?? ''
    // once the 2.0 pod runs, follow its log the way a person would in another terminal
    if (p.spec?.containers[0]?.image === V2 && p.status?.phase === 'Running' && !followed.has(name)) followed.set(name, followLogs(name))
  })
  await expectOk(r, 'lesson 8', NS)
  assert.match(r.stdout, /\$ kubectl (--context \S+ )?logs hellogopher-\S+ -n default/)
  assert.match(r.stdout, /Timeout triggered after 10s/)
  assert.match(r.stdout, /\$ kubectl (--context \S+ )?set image deployment\/hellogopher hellogopher=programmingpercy\/hellogopher:3\.0 -n default/)
  assert.match(r.stdout, /hello from inside hellogopher-/)
  assert.match(r.stdout, /oom-demo\s+0\/1\s+OOMKilled/)

  // independent: the log this test followed itself
  assert.ok(followed.size >= 1, 'no running 2.0 pod was seen')
  const logs = await Promise.all(followed.values())
  assert.ok(logs.some((l) => /Timeout triggered/.test(l)), `followed logs:\n${logs.join('\n---\n')}`)
})

test('independent: kubectl exec runs a shell command inside the 3.0 pod; its log shows the app', async () => {
  const pods = (await kube().listPods(NS, 'app=hellogopher')).filter((p) => isPodReady(p) && !p.metadata?.deletionTimestamp && p.spec?.containers[0]?.image === 'programmingpercy/hellogopher:3.0')
  assert.is(pods.length, 1)
  const name = pods[0]!.metadata!.name!
  const r = await kubectl(['exec', name, '-n', NS, '--', '/bin/sh', '-c', 'echo "e2e $((6 * 7)) in $(hostname)"'])
  await expectOk(r, 'kubectl exec', NS)
  assert.is(r.stdout.trim(), `e2e 42 in ${name}`)
  const logs = await kubectl(['logs', name, '-n', NS])
  assert.match(logs.stdout, /hellogopher 3\.0 starting/)
})

test('independent: the pod over its memory limit was OOMKilled, exit code 137', async () => {
  const p = await kube().read<V1Pod>({ apiVersion: 'v1', kind: 'Pod', name: 'oom-demo', namespace: NS })
  const t = p?.status?.containerStatuses?.[0]?.state?.terminated
  assert.is(t?.reason, 'OOMKilled', JSON.stringify(p?.status?.containerStatuses))
  assert.is(t?.exitCode, 137)
  // TUTORIAL.md lesson 8: "a container over its memory limit is killed" — the pod has one (its size is the project's choice)
  assert.ok(p?.spec?.containers[0]?.resources?.limits?.memory, 'the OOM demo pod has no memory limit')
})

test.run()
