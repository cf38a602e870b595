/**
 * tasks/lib/kubectl.ts: kubectl pinned to the run's context (explicit, then the resolved one, then the provider's),
 * and `kubectl config set-context` naming the run's context — `--current` only when that is the file's current one.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { contextArgs, contextRef, kubectl, setContextNamespace } from '../../../../tasks/lib/kubectl.ts'
import { fakeKube, fakeProvider, fakeShell } from '../../fakes.ts'

/** A kubeconfig file whose current-context is `current` (undefined: none), in a temp dir removed after `fn`. */
function withKubeconfig(current: string | undefined, fn: (file: string) => void | Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubectl-test-'))
    const file = join(dir, 'config')
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        ...(current ? [`current-context: ${current}`] : []),
        'clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]',
        'users: [{name: u, user: {token: abc}}]',
        'contexts: [{name: learn-k8s-lab, context: {cluster: c, user: u}}, {name: prod, context: {cluster: c, user: u, namespace: shop}}]',
        '',
      ].join('\n'),
    )
    try {
      await fn(file)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

test('contextArgs: an explicit context first, then the resolved deps.context, then the provider target’s; none → no flag', () => {
  const provider = fakeProvider({ target: () => ({ context: 'kind-learn-k8s' }) })
  assert.equal(contextArgs({ provider }), ['--context', 'kind-learn-k8s'])
  assert.equal(contextArgs({ provider, context: 'learn-k8s-lab' }), ['--context', 'learn-k8s-lab'])
  assert.equal(contextArgs({ provider, context: 'learn-k8s-lab' }, 'prod'), ['--context', 'prod'])
  assert.equal(contextArgs({ provider: fakeProvider() }), [])
})

test('kubectl: runs kubectl with --context <the run’s context> before the given arguments, passing the options through', async () => {
  const sh = fakeShell({ reply: () => ({ stdout: 'pod/a\n' }) })
  const opts = { quiet: true, readOnly: true }
  const r = await kubectl({ sh, provider: fakeProvider(), context: 'learn-k8s-lab' }, ['get', 'pods', '-n', 'hellogopher'], opts)
  assert.is(r.stdout, 'pod/a\n')
  assert.equal(sh.calls.map((c) => [c.bin, c.args]), [['kubectl', ['--context', 'learn-k8s-lab', 'get', 'pods', '-n', 'hellogopher']]])
  assert.is(sh.calls[0]!.opts, opts)
  await kubectl({ sh, provider: fakeProvider() }, ['version'])
  assert.equal(sh.calls[1]!.args, ['version'])
})

test("contextRef: the run's context by name when it is not the kubeconfig's current one (never touch another)", withKubeconfig('prod', (file) => {
  const provider = fakeProvider({ target: () => ({ kubeconfig: file, context: 'learn-k8s-lab' }) })
  assert.is(contextRef({ provider, kube: () => fakeKube({ contextName: 'learn-k8s-lab' }) }, false), 'learn-k8s-lab')
  assert.is(contextRef({ provider, kube: () => fakeKube({ contextName: 'prod' }) }, false), '--current')
  // dry-run: no client is made; the resolved context, else the provider's, decides
  assert.is(contextRef({ provider, kube: () => assert.unreachable() as never }, true), 'learn-k8s-lab')
  assert.is(contextRef({ provider, context: 'prod', kube: () => assert.unreachable() as never }, true), '--current')
}))

test("contextRef: --current when the run's context is the file's current one", withKubeconfig('learn-k8s-lab', (file) => {
  const mine = fakeProvider({ target: () => ({ kubeconfig: file, context: 'learn-k8s-lab' }) })
  assert.is(contextRef({ provider: mine, kube: () => assert.unreachable() as never }, true), '--current')
  assert.is(contextRef({ provider: mine, kube: () => fakeKube({ contextName: 'learn-k8s-lab' }) }, false), '--current')
}))

test('contextRef: --current when the file names no current context, or the run names none (dry-run)', withKubeconfig(undefined, (file) => {
  const provider = fakeProvider({ target: () => ({ kubeconfig: file, context: 'learn-k8s-lab' }) })
  assert.is(contextRef({ provider, kube: () => assert.unreachable() as never }, true), '--current')
}))

test('setContextNamespace: `kubectl config set-context <the run’s context> --namespace=<ns>`, no --context flag, logged', withKubeconfig('prod', async (file) => {
  const provider = fakeProvider({ target: () => ({ kubeconfig: file, context: 'learn-k8s-lab' }) })
  const sh = fakeShell()
  const lines: string[] = []
  await setContextNamespace({ sh, provider, kube: () => fakeKube({ contextName: 'learn-k8s-lab' }) }, 'hellogopher', false, (l) => lines.push(l))
  assert.equal(sh.calls.map((c) => c.line), ['kubectl config set-context learn-k8s-lab --namespace=hellogopher'])
  assert.equal(lines, ['$ kubectl config set-context learn-k8s-lab --namespace=hellogopher'])
  const cur = fakeShell()
  await setContextNamespace({ sh: cur, provider, kube: () => fakeKube({ contextName: 'prod' }) }, 'default', false, () => {})
  assert.equal(cur.calls.map((c) => c.line), ['kubectl config set-context --current --namespace=default'])
}))

test.run()
