/**
 * tasks/lib/providers: context → provider, minikube output parsing, lab image refs. Detection and the context
 * guard are tested once, in index.guard.test.ts.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { providerForContext } from '../../../../../tasks/lib/providers/index.ts'
import { labProvider } from '../../../../../tasks/lib/providers/lab.ts'
import { minikubeProvider, parseDockerEnv, parseMinikubeStatus } from '../../../../../tasks/lib/providers/minikube.ts'

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
