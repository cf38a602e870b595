/** tasks/steps/docker-env.ts: the docker endpoint is read once into ctx.dockerEnv (never `eval $(minikube docker-env)`). */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { describeDockerEnv, dockerEnv } from '../../../../tasks/steps/docker-env.ts'
import { minikubeProvider } from '../../../../tasks/lib/providers/minikube.ts'
import { evalSkip, fakeDeps, fakeProvider, fakeShell, runStep, testCtx } from '../../fakes.ts'

const MINIKUBE_ENV = [
  'export DOCKER_TLS_VERIFY="1"',
  'export DOCKER_HOST="tcp://192.168.49.2:2376"',
  'export DOCKER_CERT_PATH="/home/me/.minikube/certs"',
  'export MINIKUBE_ACTIVE_DOCKERD="minikube"',
  '',
  '# To point your shell to minikube\'s docker-daemon, run:',
  '# eval $(minikube -p minikube docker-env)',
].join('\n')

test('never skipped (it is a read)', async () => {
  assert.is(await evalSkip(dockerEnv(fakeDeps()), testCtx()), false)
})

/** `minikube profile list -o json` with the default profile on the docker runtime (abridged, see fixtures/minikube/profile-list-docker.json). */
const DOCKER_PROFILE = '{"invalid":[],"valid":[{"Name":"minikube","Status":"Running","Config":{"Name":"minikube","Driver":"docker","KubernetesConfig":{"ContainerRuntime":"docker"}}}]}'

test('minikube: `minikube docker-env` is shown and its variables land in ctx.dockerEnv', async () => {
  const sh = fakeShell({
    reply: (c) => (c.line === 'minikube docker-env --shell bash' ? { stdout: MINIKUBE_ENV } : c.line === 'minikube profile list -o json' ? { stdout: DOCKER_PROFILE } : undefined),
  })
  const ctx = testCtx()
  const step = dockerEnv(fakeDeps({ sh, provider: minikubeProvider() }))
  assert.is(step.title, "Point docker at the minikube cluster's images (lesson 2: docker-env)")
  const t = await runStep(step, ctx)
  assert.equal(ctx.dockerEnv, {
    DOCKER_TLS_VERIFY: '1',
    DOCKER_HOST: 'tcp://192.168.49.2:2376',
    DOCKER_CERT_PATH: '/home/me/.minikube/certs',
    MINIKUBE_ACTIVE_DOCKERD: 'minikube',
  })
  assert.equal(t.outputs, [
    "minikube profile minikube: container runtime docker (minikube profile list -o json) — images are built straight into minikube's docker (minikube docker-env)",
    '$ minikube docker-env --shell bash',
    'docker endpoint: DOCKER_HOST=tcp://192.168.49.2:2376',
  ])
  assert.equal(sh.calls.map((c) => c.line), ['minikube profile list -o json', 'minikube docker-env --shell bash'])
})

test('minikube under --dry-run: the command is echoed, not run', async () => {
  const sh = fakeShell({ dryRun: true })
  const ctx = testCtx({ dryRun: true })
  const t = await runStep(dockerEnv(fakeDeps({ sh, provider: minikubeProvider() })), ctx)
  assert.equal(t.outputs, ['$ minikube docker-env --shell bash'])
  assert.equal(sh.calls, [])
  assert.is(ctx.dockerEnv, undefined)
})

test('lab: no command; the fixed endpoint is shown, also under --dry-run', async () => {
  for (const dryRun of [false, true]) {
    const ctx = testCtx({ dryRun })
    const provider = fakeProvider({ dockerEnv: async () => ({ DOCKER_HOST: 'unix:///run/learn-k8s-easy/docker.sock' }) })
    const t = await runStep(dockerEnv(fakeDeps({ sh: fakeShell({ dryRun }), provider })), ctx)
    assert.equal(t.outputs, ['docker endpoint: DOCKER_HOST=unix:///run/learn-k8s-easy/docker.sock'])
    assert.equal(ctx.dockerEnv, { DOCKER_HOST: 'unix:///run/learn-k8s-easy/docker.sock' })
  }
})

test('describeDockerEnv: without DOCKER_HOST the default endpoint is named', () => {
  assert.match(describeDockerEnv({}), /^docker endpoint: the default one/)
})

test.run()
