/**
 * tasks/lib/providers: context → provider, minikube output parsing, lab image refs. Detection and the context
 * guard are tested once, in index.guard.test.ts.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { providerForContext } from '../../../../../tasks/lib/providers/index.ts'
import { manifestDigestFromStore, runtimeConfigDigest } from '../../../../../tasks/lab/engine/containerd.ts'
import { fullRef } from '../../../../../tasks/lib/image-ref.ts'
import { labProvider } from '../../../../../tasks/lib/providers/lab.ts'
import { fakeShell } from '../../../fakes.ts'
import { minikubeProvider, parseDockerEnv, parseMinikubeStatus } from '../../../../../tasks/lib/providers/minikube.ts'
import { gunzipSync } from 'node:zlib'

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

// `ctr -n k8s.io images ls name==…` as containerd 1.6 prints it, and the manifest `ctr images import` stored
const MANIFEST_DIGEST = `sha256:${'ab'.repeat(32)}`
const CONFIG_DIGEST = `sha256:${'cd'.repeat(32)}`
const CTR_LS = `REF                                        TYPE                                                 DIGEST          SIZE    PLATFORMS   LABELS
docker.io/programmingpercy/hellogopher:5.0 application/vnd.docker.distribution.manifest.v2+json ${MANIFEST_DIGEST} 3.9 MiB linux/amd64 -
`
const MANIFEST = JSON.stringify({ schemaVersion: 2, config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: CONFIG_DIGEST } })

const NO_DB = '/no/such/meta.db'

test('lab runtimeConfigDigest: metadata file unreadable → `ctr images ls`, the manifest read from the content store file — one ctr process, not two', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'content-'))
  try {
    mkdirSync(join(dir, 'sha256'))
    writeFileSync(join(dir, 'sha256', MANIFEST_DIGEST.slice(7)), MANIFEST)
    const sh = fakeShell({ reply: (c) => (c.args.includes('ls') ? { stdout: CTR_LS } : new Error(`no ${c.line}`)) })
    assert.is(await runtimeConfigDigest(sh, 'programmingpercy/hellogopher:5.0', { contentDir: dir, metaDb: NO_DB }), CONFIG_DIGEST)
    assert.equal(sh.calls.map((c) => c.args.slice(-3)), [['images', 'ls', 'name==docker.io/programmingpercy/hellogopher:5.0']])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('lab runtimeConfigDigest: no blob file → `ctr content get`; not imported → undefined without a second process', async () => {
  const sh = fakeShell({ reply: (c) => (c.args.includes('ls') ? { stdout: CTR_LS } : { stdout: MANIFEST }) })
  assert.is(await runtimeConfigDigest(sh, 'programmingpercy/hellogopher:5.0', { contentDir: '/no/such/content', metaDb: NO_DB }), CONFIG_DIGEST)
  assert.equal(sh.calls.map((c) => c.args.slice(-3)), [['images', 'ls', 'name==docker.io/programmingpercy/hellogopher:5.0'], ['content', 'get', MANIFEST_DIGEST]])
  const none = fakeShell({ reply: () => ({ stdout: CTR_LS.split('\n')[0] + '\n' }) })
  assert.is(await runtimeConfigDigest(none, 'programmingpercy/hellogopher:4.0', { contentDir: '/no/such/content', metaDb: NO_DB }), undefined)
  assert.is(none.calls.length, 1)
})

// a containerd-shaped bbolt file (test/unit/fixtures/RECORDED.md): hellogopher:5.0 → MANIFEST_DIGEST, 120 fillers
const metaDbFixture = (dir: string): string => {
  const file = join(dir, 'meta.db')
  writeFileSync(file, gunzipSync(readFileSync(join(import.meta.dirname, '../../..', 'fixtures', 'containerd-meta.db.gz'))))
  return file
}

test('lab runtimeConfigDigest: name → manifest from containerd\'s metadata file, manifest → config from the content store: no process', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'content-'))
  try {
    mkdirSync(join(dir, 'sha256'))
    writeFileSync(join(dir, 'sha256', MANIFEST_DIGEST.slice(7)), MANIFEST)
    const metaDb = metaDbFixture(dir)
    const sh = fakeShell({ reply: () => ({ exitCode: 1, stderr: 'ctr: content digest sha256:ab…: not found' }) })
    assert.is(await runtimeConfigDigest(sh, 'programmingpercy/hellogopher:5.0', { contentDir: dir, metaDb }), CONFIG_DIGEST)
    // a name the metadata does not hold is not in the runtime: no ctr to ask again
    assert.is(await runtimeConfigDigest(sh, 'programmingpercy/hellogopher:4.0', { contentDir: dir, metaDb }), undefined)
    assert.equal(sh.calls, [])
    // the manifest blob gone from the content store: `ctr content get` is asked, and its failure means "not there"
    rmSync(join(dir, 'sha256', MANIFEST_DIGEST.slice(7)))
    assert.is(await runtimeConfigDigest(sh, 'programmingpercy/hellogopher:5.0', { contentDir: dir, metaDb }), undefined)
    assert.equal(sh.calls.map((c) => c.args.slice(-3)), [['content', 'get', MANIFEST_DIGEST]])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('lab manifestDigestFromStore: a digest, null when the name is not there, undefined (ask ctr) when the file does not parse', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'meta-'))
  try {
    const metaDb = metaDbFixture(dir)
    assert.is(await manifestDigestFromStore('programmingpercy/hellogopher:5.0', metaDb), MANIFEST_DIGEST)
    assert.is(await manifestDigestFromStore('docker.io/programmingpercy/hellogopher:5.0', metaDb), MANIFEST_DIGEST)
    assert.is(await manifestDigestFromStore('library/filler-image-with-a-long-name-077:latest', metaDb), `sha256:${'4d'.padStart(64, '0')}`)
    assert.is(await manifestDigestFromStore('programmingpercy/hellogopher:1.0', metaDb), null)
    assert.is(await manifestDigestFromStore('x:1', join(dir, 'missing.db')), undefined)
    const torn = join(dir, 'torn.db')
    writeFileSync(torn, readFileSync(metaDb).subarray(0, 4096 * 3))
    assert.is(await manifestDigestFromStore('programmingpercy/hellogopher:5.0', torn), undefined)
    writeFileSync(torn, Buffer.alloc(8192))
    assert.is(await manifestDigestFromStore('programmingpercy/hellogopher:5.0', torn), undefined)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
