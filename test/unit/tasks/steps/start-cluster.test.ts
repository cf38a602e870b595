/** tasks/steps/start-cluster.ts: skips a running cluster; otherwise starts it and waits (by watch) for a Ready node. */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { KubeConfig } from '@kubernetes/client-node'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Kube, KubeError, type V1Node } from '../../../../tasks/lib/kube.ts'
import type { Shell } from '../../../../tasks/lib/shell.ts'
import { startCluster, waitForNodeReady } from '../../../../tasks/steps/start-cluster.ts'
import { evalSkip, fakeDeps, fakeKube, fakeProvider, fakeShell, runStep, testCtx } from '../../fakes.ts'

const node = (ready: 'True' | 'False' | undefined, reason?: string): V1Node => ({
  metadata: { name: 'learn-k8s-lab' },
  status: { conditions: ready ? [{ type: 'Ready', status: ready, reason }] : [] },
})

/** A watch that replays `events` to check and reports the options it was given. */
function watchingKube(events: Array<[string, V1Node]>) {
  const seen: { path?: string; opts?: { timeoutMs: number; what: string; describe?: (n: V1Node | undefined) => string } } = {}
  const kube = fakeKube({
    server: 'https://10.250.0.1:6443',
    ping: async () => 'v1.34.4',
    watchUntil: async (path: string, _q: unknown, check: (o: V1Node, phase: string) => unknown, opts: typeof seen.opts) => {
      seen.path = path
      seen.opts = opts
      for (const [phase, n] of events) {
        const r = check(n, phase)
        if (r !== undefined) return r
      }
      throw new Error(`timed out; last seen: ${opts!.describe!(events.at(-1)?.[1])}`)
    },
  })
  return { kube, seen }
}

test('skip: the running cluster, with the provider detail as reason', async () => {
  const deps = fakeDeps({ provider: fakeProvider({ status: async () => ({ running: true, detail: 'lab: apiserver v1.34.4 answers' }) }) })
  assert.is(await evalSkip(startCluster(deps), testCtx()), 'already running — lab: apiserver v1.34.4 answers')
})

test('not skipped when the cluster is not running', async () => {
  const deps = fakeDeps({ provider: fakeProvider({ status: async () => ({ running: false, detail: 'lab: not running' }) }) })
  assert.is(await evalSkip(startCluster(deps), testCtx()), false)
})

test("task: the provider's start command, then ping, then a watch on nodes until one is Ready", async () => {
  const { kube, seen } = watchingKube([['ADDED', node('False', 'KubeletNotReady')], ['MODIFIED', node('True')]])
  const provider = fakeProvider({
    name: 'lab',
    start: async (sh: Shell, log) => {
      await sh.run('npx', ['tsx', 'tasks/lab/up.ts'], { log })
    },
  })
  const deps = fakeDeps({ kube, provider })
  const step = startCluster(deps, { timeoutMs: 1234 })
  assert.is(step.title, 'Start the lab cluster (lesson 1)')
  const t = await runStep(step, testCtx())
  assert.equal(deps.sh.commands(), ['npx tsx tasks/lab/up.ts'])
  assert.is(seen.path, '/api/v1/nodes')
  assert.is(seen.opts!.timeoutMs, 1234)
  assert.equal(t.outputs, [
    '$ npx tsx tasks/lab/up.ts',
    'apiserver v1.34.4 answers at https://10.250.0.1:6443',
    'node/learn-k8s-lab Ready=False (KubeletNotReady)',
    'node/learn-k8s-lab Ready=True',
    'node/learn-k8s-lab is Ready',
  ])
})

test('waitForNodeReady: the watch gets the deadline, what is awaited, and a one-line summary of the last node', async () => {
  const { kube, seen } = watchingKube([['ADDED', node('True')]])
  await waitForNodeReady(kube, 10)
  assert.is(seen.opts!.timeoutMs, 10)
  assert.is(seen.opts!.what, 'a node to be Ready')
  assert.is(seen.opts!.describe!(node('False', 'KubeletNotReady')), 'node/learn-k8s-lab Ready=False (KubeletNotReady)')
})

test('waitForNodeReady on a real watch that never sees Ready: the timeout says what it saw last', async () => {
  // a local stand-in for the apiserver: answers the nodes watch with one not-Ready node, then stays silent
  const server = createServer((req, res) => {
    if (!req.url?.startsWith('/api/v1/nodes') || !req.url.includes('watch=true')) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.write(JSON.stringify({ type: 'ADDED', object: { kind: 'Node', apiVersion: 'v1', ...node('False', 'KubeletNotReady') } }) + '\n')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  const kc = new KubeConfig()
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  })
  try {
    await waitForNodeReady(new Kube(kc), 300)
    assert.unreachable('a node that is never Ready must end in a timeout')
  } catch (e) {
    assert.instance(e, KubeError)
    assert.match((e as Error).message, /^timed out after 0s waiting for a node to be Ready; last seen: node\/learn-k8s-lab Ready=False \(KubeletNotReady\)$/)
  } finally {
    server.closeAllConnections()
    server.close()
  }
})

test('dry-run: the start command is echoed, the cluster is not touched', async () => {
  const sh = fakeShell({ dryRun: true })
  const provider = fakeProvider({ start: async (s: Shell, log) => void (await s.run('minikube', ['start'], { log })) })
  const t = await runStep(startCluster(fakeDeps({ sh, provider })), testCtx({ dryRun: true }))
  assert.equal(t.outputs, ['$ minikube start'])
})

test.run()
