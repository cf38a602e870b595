/** tasks/lib/manifests.ts: loading (secrets registered at once), overrides shown, rendering to a private temp dir, bad YAML in one line. */
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { MANIFESTS_DIR } from '../../../../tasks/lib/tutorial.ts'
import {
  applyOverrides,
  containersOf,
  describeOverride,
  loadManifests,
  ManifestError,
  manifestObjects,
  renderManifests,
} from '../../../../tasks/lib/manifests.ts'
import { clearSecrets, redact, REDACTED } from '../../../../tasks/lib/redact.ts'

const LAB = { source: 'lab', images: { 'mysql:8.0': 'localhost/lab/mysql-compat:mariadb-10.11' } }

function tempManifests(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'manifests-test-'))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

function errorOf(fn: () => unknown): Error {
  try {
    fn()
  } catch (e) {
    return e as Error
  }
  throw new Error('expected a throw')
}

test.before.each(() => clearSecrets())

test("the tutorial's manifests load in apply order", () => {
  const m = loadManifests(MANIFESTS_DIR)
  assert.equal(m.rel, 'manifests')
  assert.equal(m.files.map((f) => f.rel), ['manifests/00_namespace.yml', 'manifests/01_database.yml', 'manifests/02_hellogopher.yml'])
  assert.equal(
    manifestObjects(m).map((o) => `${o.kind}/${o.metadata?.name}`),
    ['Namespace/hellogopher', 'ConfigMap/database-configs', 'Secret/database-secrets', 'Deployment/mysql', 'Service/mysql', 'Deployment/hellogopher'],
  )
})

test('loading registers the Secret value: base64 and decoded are masked from then on', () => {
  assert.is(redact('x cGFzc3dvcmQ= password'), 'x cGFzc3dvcmQ= password')
  loadManifests(MANIFESTS_DIR)
  assert.is(redact('x cGFzc3dvcmQ= password'), `x ${REDACTED} ${REDACTED}`)
})

test('stringData and secret-named env values are registered; other env values are not', () => {
  const dir = tempManifests({
    'a.yml': [
      'apiVersion: v1',
      'kind: Secret',
      'metadata: {name: s}',
      'stringData: {API_KEY: hunter2-plain}',
      '---',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: d}',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: c',
      '          image: busybox',
      '          env:',
      '            - {name: DATABASE_PASSWORD, value: s3cr3t-value}',
      '            - {name: GITHUB_TOKEN, value: ghp_abcdef}',
      '            - {name: LOG_LEVEL, value: debugging}',
      '',
    ].join('\n'),
  })
  loadManifests(dir)
  assert.is(redact('hunter2-plain s3cr3t-value ghp_abcdef debugging'), `${REDACTED} ${REDACTED} ${REDACTED} debugging`)
})

test('malformed YAML → one line naming the file and line', () => {
  const dir = tempManifests({ 'bad.yml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: [a\n' })
  const e = errorOf(() => loadManifests(dir))
  assert.instance(e, ManifestError)
  assert.not.match(e.message, /\n/)
  assert.match(e.message, /^\/?.*bad\.yml:\d+: malformed YAML: /)
  const line = Number(/bad\.yml:(\d+):/.exec(e.message)![1])
  assert.ok(line >= 5 && line <= 6, `line ${line}`)
})

test('a document that is not a Kubernetes object is refused with its line', () => {
  const dir = tempManifests({ 'x.yml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\njust: data\n' })
  assert.match(errorOf(() => loadManifests(dir)).message, /x\.yml:5: not a Kubernetes object/)
})

test('empty documents (a trailing ---) are ignored; a single file can be loaded', () => {
  const dir = tempManifests({ 'one.yml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n' })
  const m = loadManifests(join(dir, 'one.yml'))
  assert.is(m.files.length, 1)
  assert.is(manifestObjects(m).length, 1)
})

test('a missing path or an empty folder says so', () => {
  assert.match(errorOf(() => loadManifests('/nonexistent/manifests')).message, /cannot read manifests at \/nonexistent\/manifests: ENOENT/)
  assert.match(errorOf(() => loadManifests(tempManifests({}))).message, /no \*\.yml files in/)
})

test('containersOf finds containers and initContainers with their paths', () => {
  const found = containersOf({ spec: { template: { spec: { initContainers: [{ image: 'a' }], containers: [{ image: 'b', imagePullPolicy: 'Never' }] } } } })
  assert.equal(found, [
    { path: ['spec', 'template', 'spec', 'initContainers', 0], image: 'a', imagePullPolicy: undefined },
    { path: ['spec', 'template', 'spec', 'containers', 0], image: 'b', imagePullPolicy: 'Never' },
  ])
})

test('the lab override swaps mysql:8.0 on copies and reports it', () => {
  const m = loadManifests(MANIFESTS_DIR)
  const { manifests, overrides } = applyOverrides(m, [LAB])
  assert.equal(overrides, [
    { file: 'manifests/01_database.yml', object: 'deployment/mysql', field: 'image', from: 'mysql:8.0', to: 'localhost/lab/mysql-compat:mariadb-10.11', source: 'lab' },
  ])
  assert.is(describeOverride(overrides[0]!), 'image override (lab): mysql:8.0 → localhost/lab/mysql-compat:mariadb-10.11')
  const image = (ms: typeof m) => containersOf(manifestObjects(ms).find((o) => o.metadata?.name === 'mysql'))[0]!.image
  assert.is(image(manifests), 'localhost/lab/mysql-compat:mariadb-10.11')
  assert.is(image(m), 'mysql:8.0', 'the loaded originals are untouched')
})

test('a pull policy override applies to tutorial images only', () => {
  const { overrides, manifests } = applyOverrides(loadManifests(MANIFESTS_DIR), [{ source: 'remote', pullPolicy: 'Always' }])
  assert.equal(overrides.map(describeOverride), ['imagePullPolicy override (remote) on deployment/hellogopher: Never → Always'])
  const hello = manifestObjects(manifests).find((o) => o.kind === 'Deployment' && o.metadata?.name === 'hellogopher')
  assert.is(containersOf(hello)[0]!.imagePullPolicy, 'Always')
})

test('nothing overridden → the original folder is applied, nothing written', async () => {
  const m = loadManifests(MANIFESTS_DIR)
  const { manifests, overrides } = applyOverrides(m, [{ source: 'minikube', images: {} }])
  const r = renderManifests(manifests, overrides)
  assert.is(r.dir, MANIFESTS_DIR)
  assert.is(r.temporary, false)
  assert.equal(r.files, m.files.map((f) => f.path))
  await r.cleanup()
  assert.ok(existsSync(MANIFESTS_DIR))
})

test('overridden → every file in a fresh temp dir, mode 0600, comments kept, removed by cleanup', async () => {
  const m = loadManifests(MANIFESTS_DIR)
  const { manifests, overrides } = applyOverrides(m, [LAB])
  const r = renderManifests(manifests, overrides)
  assert.is(r.temporary, true)
  assert.not.ok(r.dir.startsWith(MANIFESTS_DIR))
  assert.equal(r.files.map((f) => f.slice(r.dir.length + 1)), ['00_namespace.yml', '01_database.yml', '02_hellogopher.yml'])
  for (const f of r.files) assert.is(statSync(f).mode & 0o777, 0o600, f)
  const db = readFileSync(r.files[1]!, 'utf8')
  assert.match(db, /image: localhost\/lab\/mysql-compat:mariadb-10\.11/)
  assert.not.match(db, /mysql:8\.0/)
  assert.match(db, /# base64 is encoding, not protection/)
  assert.is(readFileSync(r.files[2]!, 'utf8'), readFileSync(join(MANIFESTS_DIR, '02_hellogopher.yml'), 'utf8'))
  // the rendered files load back to the same objects
  assert.equal(manifestObjects(loadManifests(r.dir)), manifestObjects(manifests))
  await r.cleanup()
  assert.not.ok(existsSync(r.dir))
})

test('env names that say secret: PASS, PWD, KEY, CREDENTIAL, AUTH… are registered; others are not', () => {
  clearSecrets()
  const dir = tempManifests({
    'd.yml': [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: d}',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: c',
      '          image: busybox',
      '          env:',
      '            - {name: DB_PASS, value: v-pass-1}',
      '            - {name: MYSQL_PWD, value: v-pwd-2}',
      '            - {name: API_KEY, value: v-key-3}',
      '            - {name: GCP_CREDENTIALS, value: v-cred-4}',
      '            - {name: BASIC_AUTH, value: v-auth-5}',
      '            - {name: DATABASE_HOST, value: mysql-host}',
      '',
    ].join('\n'),
  })
  loadManifests(dir)
  assert.is(redact('v-pass-1 v-pwd-2 v-key-3 v-cred-4 v-auth-5 mysql-host'), `${Array(5).fill(REDACTED).join(' ')} mysql-host`)
})

test('an empty manifest file (or one of comments and bare ---) is an error naming it', () => {
  const dir = tempManifests({ 'a.yml': '# only a comment\n---\n' })
  assert.match(errorOf(() => loadManifests(join(dir, 'a.yml'))).message, /a\.yml is empty: it holds no Kubernetes object to apply$/)
  const empty = tempManifests({ 'b.yml': '' })
  assert.match(errorOf(() => loadManifests(empty)).message, /b\.yml is empty/)
})

test('renderManifests under --dry-run writes nothing (the Secret would be in there)', () => {
  const m = loadManifests(MANIFESTS_DIR)
  const { manifests, overrides } = applyOverrides(m, [{ source: 'lab', images: { 'mysql:8.0': 'localhost/lab/mysql:1' } }])
  assert.ok(overrides.length)
  const r = renderManifests(manifests, overrides, { dryRun: true })
  assert.not.ok(existsSync(r.dir))
  assert.ok(r.files.every((f) => !existsSync(f)))
})

test.run()
