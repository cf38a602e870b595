/** tasks/lab/engine/coredns.ts: CoreDNS built with `go install` into the lab's cache, then its FROM-scratch image (fake shell, temp cache dir), and that its address, domain and image agree with the manifest and the kubelet. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseAllDocuments, parse } from 'yaml'
import { ROOT } from '../../../../../tasks/lib/tutorial.ts'
import { assertLabDirs, fakeShell, labTempDirs, type Call } from '../../../fakes.ts'

const dirs = labTempDirs('coredns-test')
const paths = await import('../../../../../tasks/lab/engine/paths.ts')
assertLabDirs(paths, dirs)
const D = await import('../../../../../tasks/lab/engine/coredns.ts')
const { SERVICE_CIDR } = await import('../../../../../tasks/lab/engine/pki.ts')
const { conf, configFiles } = await import('../../../../../tasks/lab/engine/config.ts')

test.after(() => dirs.cleanup())

const BUILD_DIR = join(dirs.cache, 'build', `coredns-${D.COREDNS_VERSION}`)

/** docker as a fake: `go install` leaves a binary in GOBIN; `docker build` keeps its context's files; inspect answers `labels`. */
function fakeTools(labels: Record<string, string> | undefined) {
  const context: Record<string, string> = {}
  const sh = fakeShell({
    reply: (c: Call) => {
      if (c.bin === 'go') {
        mkdirSync(c.opts.env!.GOBIN!, { recursive: true })
        writeFileSync(join(c.opts.env!.GOBIN!, 'coredns'), 'coredns binary')
      }
      if (c.bin === 'docker' && c.args[0] === 'image' && c.args.includes('{{json .Config.Labels}}')) return labels ? { stdout: JSON.stringify(labels) } : { exitCode: 1, stderr: 'No such image' }
      if (c.bin === 'docker' && c.args[0] === 'build') {
        const dir = c.args[c.args.length - 1]!
        for (const f of ['Dockerfile', 'coredns']) context[f] = readFileSync(join(dir, f), 'utf8')
      }
      return undefined
    },
  })
  return { sh, context }
}

let builtLabel: string | undefined

test('buildCorednsImage: go install coredns@<version> into the lab cache, then docker build of an image with /coredns on scratch', async () => {
  const { sh, context } = fakeTools(undefined)
  const lines: string[] = []
  assert.is(await D.buildCorednsImage(sh, (l) => lines.push(l)), undefined)
  assert.is(sh.calls[0]!.line, `go install -trimpath github.com/coredns/coredns@${D.COREDNS_VERSION}`)
  assert.is(sh.calls[0]!.opts.env?.GOBIN, BUILD_DIR)
  assert.ok(existsSync(join(BUILD_DIR, 'coredns.version')), 'no version stamp')
  const build = sh.calls.find((c) => c.bin === 'docker' && c.args[0] === 'build')!
  assert.ok(build, sh.calls.map((c) => c.line).join('\n'))
  assert.is(build.args[build.args.indexOf('-t') + 1], D.COREDNS_IMAGE)
  builtLabel = build.args.find((a) => a.startsWith('learn-k8s-easy.source='))
  assert.ok(builtLabel, build.line)
  assert.is(context.coredns, 'coredns binary')
  assert.match(context.Dockerfile!, /^FROM scratch\n/)
  assert.ok(context.Dockerfile!.includes('COPY coredns /coredns\n'))
  assert.ok(context.Dockerfile!.includes('ENTRYPOINT ["/coredns"]'))
  assert.equal(lines.filter((l) => l.startsWith('$ ')).map((l) => l.split(' ').slice(0, 4).join(' ')), ['$ go install -trimpath', '$ docker build --force-rm'])
})

test('buildCorednsImage: the binary stamped at this version and an image labelled with the same source → no go install, no docker build', async () => {
  assert.ok(builtLabel, 'needs the build of the test before')
  const [key, value] = builtLabel!.split('=') as [string, string]
  const { sh } = fakeTools({ [key]: value })
  const lines: string[] = []
  await D.buildCorednsImage(sh, (l) => lines.push(l))
  assert.not.ok(sh.calls.some((c) => c.bin === 'go' || c.args[0] === 'build'), sh.calls.map((c) => c.line).join('\n'))
  assert.equal(lines, [`${D.COREDNS_IMAGE} is up to date`])
})

test('the cluster DNS address is in the service range, and the kubelet hands it and the domain to pods', () => {
  const [base, bits] = SERVICE_CIDR.split('/') as [string, string]
  const n = (ip: string) => ip.split('.').reduce((a, b) => a * 256 + Number(b), 0)
  assert.is(Math.floor(n(D.CLUSTER_DNS_IP) / 2 ** (32 - Number(bits))), Math.floor(n(base) / 2 ** (32 - Number(bits))))
  const kubelet = parse(configFiles(paths.LAB_NODE_IP)[conf('kubelet.yaml')]!) as { clusterDNS: string[]; clusterDomain: string }
  assert.equal(kubelet.clusterDNS, [D.CLUSTER_DNS_IP])
  assert.is(kubelet.clusterDomain, D.CLUSTER_DOMAIN)
})

test('the manifest runs the image built here as service/kube-dns on the cluster DNS address', () => {
  interface Doc {
    kind?: string
    metadata?: { name?: string }
    spec?: { clusterIP?: string; template?: { spec?: { containers?: Array<{ image: string }> } } }
  }
  const docs = parseAllDocuments(readFileSync(join(ROOT, 'tasks/lab/manifests/coredns.yml'), 'utf8')).map((d) => d.toJS() as Doc)
  const svc = docs.find((d) => d?.kind === 'Service')!
  assert.is(svc.metadata?.name, 'kube-dns')
  assert.is(svc.spec?.clusterIP, D.CLUSTER_DNS_IP)
  const deploy = docs.find((d) => d?.kind === 'Deployment')!
  assert.equal(deploy.spec?.template?.spec?.containers?.map((c) => c.image), [D.COREDNS_IMAGE])
  assert.is(D.COREDNS_IMAGE, `registry.k8s.io/coredns/coredns:${D.COREDNS_VERSION}`)
})

test.run()
