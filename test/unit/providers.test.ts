/** tasks/lib/providers: the context guard, provider detection, minikube output parsing, lab image refs. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { UsageError } from '../../tasks/lib/cli.ts'
import { detectProviderName, guardDecision, providerForContext } from '../../tasks/lib/providers/index.ts'
import { fullRef, labProvider } from '../../tasks/lib/providers/lab.ts'
import { minikubeProvider, parseDockerEnv, parseMinikubeStatus } from '../../tasks/lib/providers/minikube.ts'
import { fakeShell } from './fakes.ts'

// ── guardDecision ────────────────────────────────────────────────────────────
type GuardCase = [string, { context: string; explicitContext?: string; destructive: boolean; yes: boolean }, true | RegExp]
const guardCases: GuardCase[] = [
  ['minikube is local', { context: 'minikube', destructive: false, yes: false }, true],
  ['minikube is local, even to destroy without --yes', { context: 'minikube', destructive: true, yes: false }, true],
  ['kind-x is local', { context: 'kind-x', destructive: true, yes: false }, true],
  ['the lab is local', { context: 'learn-k8s-lab', destructive: true, yes: false }, true],
  ['prod-eu refused without --context', { context: 'prod-eu', destructive: false, yes: false }, /refusing to change context 'prod-eu'.*pass --context prod-eu/],
  ['prod-eu refused with --yes but without --context', { context: 'prod-eu', destructive: true, yes: true }, /pass --context prod-eu/],
  ['prod-eu refused when --context names another', { context: 'prod-eu', explicitContext: 'staging', destructive: false, yes: false }, /pass --context prod-eu/],
  ['prod-eu with --context may be changed', { context: 'prod-eu', explicitContext: 'prod-eu', destructive: false, yes: false }, true],
  ['prod-eu destructive refused without --yes', { context: 'prod-eu', explicitContext: 'prod-eu', destructive: true, yes: false }, /refusing to delete on context 'prod-eu' without --yes/],
  ['prod-eu destructive allowed with --context and --yes', { context: 'prod-eu', explicitContext: 'prod-eu', destructive: true, yes: true }, true],
]
for (const [name, g, want] of guardCases) {
  test(`guardDecision: ${name}`, () => {
    const d = guardDecision({ provider: minikubeProvider(), ...g })
    if (want === true) assert.equal(d, { ok: true })
    else {
      assert.is(d.ok, false)
      assert.match((d as { reason: string }).reason, want)
    }
  })
}

test('guardDecision: a provider owning a custom context (minikube profile) counts as local', () => {
  assert.equal(guardDecision({ provider: minikubeProvider({ profile: 'learn' }), context: 'learn', destructive: true, yes: false }), { ok: true })
})

// ── providerForContext ───────────────────────────────────────────────────────
const ctxCases: Array<[string | undefined, string | undefined]> = [
  ['minikube', 'minikube'],
  ['kind-x', 'kind'],
  ['kind-learn-k8s', 'kind'],
  ['learn-k8s-lab', 'lab'],
  ['prod-eu', undefined],
  ['kind', undefined],
  ['docker-desktop', undefined],
  ['', undefined],
  [undefined, undefined],
]
for (const [context, want] of ctxCases) {
  test(`providerForContext(${JSON.stringify(context)}) → ${want}`, () => {
    assert.is(providerForContext(context), want)
  })
}

// ── detectProviderName ───────────────────────────────────────────────────────
type DetectCase = [string, { flag?: string; context?: string; registry?: string; current?: string; installed: string[] }, string]
const detectCases: DetectCase[] = [
  ['--provider wins over context and tools', { flag: 'lab', context: 'minikube', current: 'kind-x', installed: ['minikube', 'kind'] }, 'lab'],
  ['--registry means remote', { registry: 'registry.example.com', installed: ['minikube'] }, 'remote'],
  ['--context names a local one', { context: 'kind-dev', current: 'minikube', installed: ['minikube'] }, 'kind'],
  ['current context is local', { current: 'learn-k8s-lab', installed: ['minikube'] }, 'lab'],
  ['unknown context → remote (so the guard sees it), even with minikube installed', { current: 'prod-eu', installed: ['minikube', 'kind'] }, 'remote'],
  ['no context, only kind installed', { installed: ['kind'] }, 'kind'],
  ['nothing installed: the lab', { installed: [] }, 'lab'],
]
for (const [name, c, want] of detectCases) {
  test(`detectProviderName: ${name}`, async () => {
    const sh = fakeShell({ installed: c.installed })
    assert.is(await detectProviderName({ flag: c.flag, context: c.context, registry: c.registry, sh }, () => c.current), want)
  })
}

test('detectProviderName: an unknown --provider is a usage error', async () => {
  try {
    await detectProviderName({ flag: 'docker-desktop', sh: fakeShell() }, () => undefined)
    assert.unreachable('should throw')
  } catch (e) {
    assert.instance(e, UsageError)
    assert.match((e as Error).message, "unknown provider 'docker-desktop'")
  }
})

test('detectProviderName: the flag is decided without asking which', async () => {
  const sh = fakeShell({ installed: [] })
  let asked = false
  sh.which = async () => ((asked = true), undefined)
  await detectProviderName({ flag: 'minikube', sh }, () => undefined)
  assert.is(asked, false)
})

// ── minikube docker-env ──────────────────────────────────────────────────────
const WANT_LINUX = {
  DOCKER_TLS_VERIFY: '1',
  DOCKER_HOST: 'tcp://192.168.49.2:2376',
  DOCKER_CERT_PATH: '/home/u/.minikube/certs',
  MINIKUBE_ACTIVE_DOCKERD: 'minikube',
}
const WANT_WINDOWS = {
  DOCKER_TLS_VERIFY: '1',
  DOCKER_HOST: 'tcp://127.0.0.1:50123',
  DOCKER_CERT_PATH: 'C:\\Users\\u\\.minikube\\certs',
  MINIKUBE_ACTIVE_DOCKERD: 'minikube',
}

const BASH = `export DOCKER_TLS_VERIFY="1"
export DOCKER_HOST="tcp://192.168.49.2:2376"
export DOCKER_CERT_PATH="/home/u/.minikube/certs"
export MINIKUBE_ACTIVE_DOCKERD="minikube"

# To point your shell to minikube's docker-daemon, run:
# eval $(minikube -p minikube docker-env)
`
const FISH = `set -gx DOCKER_TLS_VERIFY "1";
set -gx DOCKER_HOST "tcp://192.168.49.2:2376";
set -gx DOCKER_CERT_PATH "/home/u/.minikube/certs";
set -gx MINIKUBE_ACTIVE_DOCKERD "minikube";

# To point your shell to minikube's docker-daemon, run:
# minikube -p minikube docker-env --shell fish | source
`
const POWERSHELL = [
  '$Env:DOCKER_TLS_VERIFY = "1"',
  '$Env:DOCKER_HOST = "tcp://127.0.0.1:50123"',
  '$Env:DOCKER_CERT_PATH = "C:\\Users\\u\\.minikube\\certs"',
  '$Env:MINIKUBE_ACTIVE_DOCKERD = "minikube"',
  "# To point your shell to minikube's docker-daemon, run:",
  '# & minikube -p minikube docker-env --shell powershell | Invoke-Expression',
  '',
].join('\r\n')
const CMD = [
  'SET DOCKER_TLS_VERIFY=1',
  'SET DOCKER_HOST=tcp://127.0.0.1:50123',
  'SET DOCKER_CERT_PATH=C:\\Users\\u\\.minikube\\certs',
  'SET MINIKUBE_ACTIVE_DOCKERD=minikube',
  "REM To point your shell to minikube's docker-daemon, run:",
  "REM @FOR /f \"tokens=*\" %i IN ('minikube -p minikube docker-env --shell cmd') DO @%i",
  '',
].join('\r\n')

const envCases: Array<[string, string, Record<string, string>]> = [
  ['bash/zsh', BASH, WANT_LINUX],
  ['fish', FISH, WANT_LINUX],
  ['PowerShell (CRLF)', POWERSHELL, WANT_WINDOWS],
  ['cmd (CRLF)', CMD, WANT_WINDOWS],
  ['unquoted export', 'export DOCKER_HOST=tcp://192.168.49.2:2376\n', { DOCKER_HOST: 'tcp://192.168.49.2:2376' }],
  ['ssh variant', 'export DOCKER_HOST="ssh://docker@127.0.0.1:32772"\nexport MINIKUBE_ACTIVE_DOCKERD="minikube"\n', { DOCKER_HOST: 'ssh://docker@127.0.0.1:32772', MINIKUBE_ACTIVE_DOCKERD: 'minikube' }],
  ['--unset output sets nothing', 'unset DOCKER_TLS_VERIFY;\nunset DOCKER_HOST;\nunset DOCKER_CERT_PATH;\nunset MINIKUBE_ACTIVE_DOCKERD;\n', {}],
  ['only comments', '# eval $(minikube docker-env)\n', {}],
  ['empty', '', {}],
]
for (const [name, out, want] of envCases) {
  test(`parseDockerEnv: ${name}`, () => {
    assert.equal(parseDockerEnv(out), want)
  })
}

// ── minikube status ──────────────────────────────────────────────────────────
const statusCases: Array<[string, string, boolean, string]> = [
  [
    'running',
    '{"Name":"minikube","Host":"Running","Kubelet":"Running","APIServer":"Running","Kubeconfig":"Configured","Worker":false}',
    true,
    'minikube: host Running, apiserver Running, kubelet Running',
  ],
  [
    'stopped',
    '{"Name":"minikube","Host":"Stopped","Kubelet":"Stopped","APIServer":"Stopped","Kubeconfig":"Stopped","Worker":false}',
    false,
    'minikube: host Stopped, apiserver Stopped, kubelet Stopped',
  ],
  [
    'host up, apiserver down',
    '{"Name":"minikube","Host":"Running","Kubelet":"Stopped","APIServer":"Stopped","Kubeconfig":"Configured","Worker":false}',
    false,
    'minikube: host Running, apiserver Stopped, kubelet Stopped',
  ],
  [
    'no cluster (profile not found, not JSON)',
    '* Profile "minikube" not found. Run "minikube profile list" to view all profiles.\n  To start a cluster, run: "minikube start"',
    false,
    'minikube: no cluster (profile "minikube" not found)',
  ],
  ['empty output', '', false, 'minikube: no cluster (status did not answer)'],
]
for (const [name, json, running, detail] of statusCases) {
  test(`parseMinikubeStatus: ${name}`, () => {
    assert.equal(parseMinikubeStatus(json), { running, detail })
  })
}

// ── lab ──────────────────────────────────────────────────────────────────────
const refCases: Array<[string, string]> = [
  ['programmingpercy/hellogopher:1.0', 'docker.io/programmingpercy/hellogopher:1.0'],
  ['programmingpercy/hellogopher', 'docker.io/programmingpercy/hellogopher:latest'],
  ['mysql:8.0', 'docker.io/library/mysql:8.0'],
  ['mysql', 'docker.io/library/mysql:latest'],
  ['docker.io/library/mysql:8.0', 'docker.io/library/mysql:8.0'],
  ['localhost/lab/mysql-compat:mariadb-10.11', 'localhost/lab/mysql-compat:mariadb-10.11'],
  ['localhost:5000/hellogopher:5.0', 'localhost:5000/hellogopher:5.0'],
  ['localhost:5000/hellogopher', 'localhost:5000/hellogopher:latest'],
  ['registry.k8s.io/pause:3.10', 'registry.k8s.io/pause:3.10'],
  ['ghcr.io/a/b', 'ghcr.io/a/b:latest'],
]
for (const [image, want] of refCases) {
  test(`lab fullRef(${image})`, () => {
    assert.is(fullRef(image), want)
  })
}

test('lab provider owns only its context; minikube its profile', () => {
  assert.is(labProvider().ownsContext('learn-k8s-lab'), true)
  assert.is(labProvider().ownsContext('minikube'), false)
  assert.is(minikubeProvider().ownsContext('minikube'), true)
  assert.is(minikubeProvider({ profile: 'p2' }).ownsContext('minikube'), false)
})

test('minikube start command carries profile and driver', () => {
  assert.equal(minikubeProvider().startCommands(), [['minikube', 'start']])
  assert.equal(minikubeProvider({ profile: 'p2', driver: 'docker' }).startCommands(), [['minikube', 'start', '-p', 'p2', '--driver', 'docker']])
})

test.run()
