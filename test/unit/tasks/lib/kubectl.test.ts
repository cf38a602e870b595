/**
 * tasks/lib/kubectl.ts: kubectl pinned to the run's context (explicit, then the resolved one, then the provider's);
 * the argv of the project's own set-up verbs, run as given by runKubectl; and `kubectl config set-context` naming
 * the run's context — `--current` only when that is the kubeconfig file's current one.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { contextArgs, contextRef, kubectl, kubectlArgs, runKubectl, setContextNamespace } from '../../../../tasks/lib/kubectl.ts'
import { fakeKube, fakeProvider, fakeShell, twoContextKubeconfig } from '../../fakes.ts'

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

test('runKubectl: kubectl with exactly the given arguments (no --context: the kubeconfig comes from opts.env) and options', async () => {
  const sh = fakeShell()
  const opts = { env: { KUBECONFIG: '/var/lib/learn-k8s-lab/admin.kubeconfig' } }
  await runKubectl(sh, ['get', 'nodes'], opts)
  assert.equal(sh.calls.map((c) => [c.bin, c.args]), [['kubectl', ['get', 'nodes']]])
  assert.is(sh.calls[0]!.opts, opts)
})

test('kubectlArgs: server-side apply of a file, rollout status with a timeout in seconds, set-context by reference', () => {
  assert.equal(kubectlArgs.applyServerSide('manifests/lab/coredns.yaml'), ['apply', '--server-side', '-f', 'manifests/lab/coredns.yaml'])
  assert.equal(kubectlArgs.rolloutStatus('kube-system', 'deployment/coredns', 120), ['-n', 'kube-system', 'rollout', 'status', 'deployment/coredns', '--timeout=120s'])
  assert.equal(kubectlArgs.setContextNamespace('--current', 'hellogopher'), ['config', 'set-context', '--current', '--namespace=hellogopher'])
})

test("contextRef: the run's context by name when it is not the kubeconfig's current one (never touch another)", () => {
  const file = twoContextKubeconfig('prod')
  const provider = fakeProvider({ target: () => ({ kubeconfig: file, context: 'learn-k8s-lab' }) })
  assert.is(contextRef({ provider, kube: () => fakeKube({ contextName: 'learn-k8s-lab' }) }, false), 'learn-k8s-lab')
  assert.is(contextRef({ provider, kube: () => fakeKube({ contextName: 'prod' }) }, false), '--current')
  // dry-run: no client is made; the resolved context, else the provider's, decides
  assert.is(contextRef({ provider, kube: () => assert.unreachable() as never }, true), 'learn-k8s-lab')
  assert.is(contextRef({ provider, context: 'prod', kube: () => assert.unreachable() as never }, true), '--current')
})

test("contextRef: --current when the run's context is the file's current one", () => {
  const mine = fakeProvider({ target: () => ({ kubeconfig: twoContextKubeconfig('learn-k8s-lab'), context: 'learn-k8s-lab' }) })
  assert.is(contextRef({ provider: mine, kube: () => assert.unreachable() as never }, true), '--current')
  assert.is(contextRef({ provider: mine, kube: () => fakeKube({ contextName: 'learn-k8s-lab' }) }, false), '--current')
})

test('contextRef: --current when the file names no current context, or (dry-run) the run names none', () => {
  const noCurrent = fakeProvider({ target: () => ({ kubeconfig: twoContextKubeconfig(''), context: 'learn-k8s-lab' }) })
  assert.is(contextRef({ provider: noCurrent, kube: () => assert.unreachable() as never }, true), '--current')
  const unnamed = fakeProvider({ target: () => ({ kubeconfig: twoContextKubeconfig('prod') }) })
  assert.is(contextRef({ provider: unnamed, kube: () => assert.unreachable() as never }, true), '--current')
})

test('setContextNamespace: `kubectl config set-context <the run’s context> --namespace=<ns>`, no --context flag, logged', async () => {
  const provider = fakeProvider({ target: () => ({ kubeconfig: twoContextKubeconfig('prod'), context: 'learn-k8s-lab' }) })
  const sh = fakeShell()
  const lines: string[] = []
  await setContextNamespace({ sh, provider, kube: () => fakeKube({ contextName: 'learn-k8s-lab' }) }, 'hellogopher', false, (l) => lines.push(l))
  assert.equal(sh.calls.map((c) => c.line), ['kubectl config set-context learn-k8s-lab --namespace=hellogopher'])
  assert.equal(lines, ['$ kubectl config set-context learn-k8s-lab --namespace=hellogopher'])
  const cur = fakeShell()
  await setContextNamespace({ sh: cur, provider, kube: () => fakeKube({ contextName: 'prod' }) }, 'default', false, () => {})
  assert.equal(cur.calls.map((c) => c.line), ['kubectl config set-context --current --namespace=default'])
})

test.run()
