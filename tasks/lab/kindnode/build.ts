/**
 * The offline kind node image: what `kind build node-image` makes, assembled here from parts built on this
 * machine, for the same Kubernetes the lab runs. Nothing is pulled.
 *
 * Why not `kind build node-image` itself: it pulls every image kubeadm lists plus kindnetd and the local-path
 * provisioner unless a Kubernetes build tarball provides them, and fails when a pull fails (v0.33.0,
 * pkg/build/nodeimage/buildcontext.go). kindnetd's module is not served here, so the image takes kind's steps
 * itself, in the same order: a base image (kindest/base's role: systemd, containerd, runc, CNI plugins) →
 * kubeadm/kubelet/kubectl in /usr/bin → /kind/version → the control-plane images imported into the node's
 * containerd with ctr → `docker commit` with kind's entrypoint. Networking is a bridge CNI configuration (one
 * node), see files/kind/manifests/default-cni.yaml.
 *
 * Every part is cached: the debootstrap rootfs (a tarball), Kubernetes binaries (the lab's build), etcd and
 * CoreDNS at the versions kubeadm names, and each image carries the hash of its recipe, so a second build only
 * checks.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { chmod, copyFile, mkdir, writeFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ensureGoTool, type GoTool } from '../../lib/gotools.ts'
import { docker } from '../../lib/docker-cli.ts'
import type { Shell } from '../../lib/shell.ts'
import { buildEtcd } from '../engine/build.ts'
import { nodeCtr } from '../engine/containerd.ts'
import {
  dockerBuild,
  ensureRootfsImage,
  imageLabels,
  PAUSE_IMAGE,
  pauseSourceHash,
  replacing,
  sha256,
  SOURCE_LABEL,
  withTempDir,
  type Log,
  type RootfsRecipe,
} from '../images/build.ts'
import { BIN_DIR, CACHE_DIR, K8S_VERSION, METRICS_SERVER_VERSION } from '../engine/paths.ts'

/** kind, built from its Go module (the one place its version is pinned). */
export const KIND_VERSION = 'v0.33.0'
export const KIND_TOOL: GoTool = { name: 'kind', pkg: 'sigs.k8s.io/kind', version: KIND_VERSION }

/** crictl, which kind's nodes carry (the kind provider reads the node's images with it). */
export const CRICTL_TOOL: GoTool = { name: 'crictl', pkg: 'sigs.k8s.io/cri-tools/cmd/crictl', version: 'v1.34.0' }

/** The node image `kind create cluster --image` takes. */
export const KIND_NODE_IMAGE = `localhost/learn-k8s/kind-node:${K8S_VERSION}`
export const KIND_BASE_IMAGE = 'localhost/learn-k8s/kind-base:bookworm'
export const KIND_ROOTFS_IMAGE = 'localhost/learn-k8s/kind-rootfs:bookworm'

/** Bump when the steps below change in a way the recipe files do not show. */
const RECIPE_VERSION = '1'

const HERE = dirname(fileURLToPath(import.meta.url))
const FILES_DIR = join(HERE, 'files')
const DOCKERFILE = join(HERE, 'Dockerfile')

/** The node's root filesystem: what kindest/base installs, from Debian's packages. */
export const KIND_ROOTFS: RootfsRecipe = {
  suite: 'bookworm',
  variant: 'minbase',
  include: [
    'systemd', 'systemd-sysv', 'dbus', // the node's init
    'containerd', 'runc', 'containernetworking-plugins', // the runtime and CNI plugins (bridge, host-local, portmap, loopback)
    'iptables', 'conntrack', 'iproute2', 'ethtool', 'socat', 'kmod', // kube-proxy, kubelet and kubeadm's needs
    'mount', 'util-linux', 'procps', 'bash', 'ca-certificates', 'libseccomp2',
  ],
  prune: ['var/cache/apt', 'var/lib/apt/lists', 'usr/share/doc', 'usr/share/man', 'usr/share/info', 'usr/share/locale', 'usr/share/lintian', 'tmp'],
}

/** An image kubeadm expects, and how it is made here. */
export interface NodeImage {
  ref: string
  /** kube-apiserver, …, etcd, coredns, pause */
  component: string
  tag: string
}

/** `kubeadm config images list` output → the images, by component (the last path segment of the repository). */
export function parseKubeadmImages(out: string): NodeImage[] {
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^[\w.-]+(:\d+)?\/[\w./-]+:[\w.-]+$/.test(l))
    .map((ref) => {
      const [repo, tag] = [ref.slice(0, ref.lastIndexOf(':')), ref.slice(ref.lastIndexOf(':') + 1)]
      return { ref, component: repo.slice(repo.lastIndexOf('/') + 1), tag }
    })
}

/** Images the node carries beyond kubeadm's: metrics-server, for `kubectl top` (lessons 9 and 14; metrics-server.yml). */
export const EXTRA_IMAGES: NodeImage[] = [
  { ref: `registry.k8s.io/metrics-server/metrics-server:${METRICS_SERVER_VERSION}`, component: 'metrics-server', tag: METRICS_SERVER_VERSION },
]
export const METRICS_SERVER_MANIFEST = join(dirname(fileURLToPath(import.meta.url)), 'metrics-server.yml')

/** kubeadm's etcd tag (3.6.5-0) → the module version that builds it (v3.6.5). */
export const etcdModuleVersion = (tag: string): string => `v${tag.replace(/-\d+$/, '')}`

const STATIC = new Set(['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd'])

/** Where a component image gets its binary, its path inside the image, and its base. */
export function componentRecipe(img: NodeImage, bins: { etcd: string; coredns: string }): { bin: string; path: string; from: 'scratch' | 'rootfs' } | undefined {
  if (STATIC.has(img.component)) return { bin: img.component === 'etcd' ? bins.etcd : join(BIN_DIR, img.component), path: `/usr/local/bin/${img.component}`, from: 'scratch' }
  // kube-proxy runs iptables: it needs a userland, so it is built on the node's own rootfs
  if (img.component === 'kube-proxy') return { bin: join(BIN_DIR, 'kube-proxy'), path: '/usr/local/bin/kube-proxy', from: 'rootfs' }
  if (img.component === 'coredns') return { bin: bins.coredns, path: '/coredns', from: 'scratch' }
  if (img.component === 'metrics-server') return { bin: join(BIN_DIR, 'metrics-server'), path: '/metrics-server', from: 'scratch' }
  return undefined // pause: the lab's own pause image, retagged
}

const COMPONENT_DOCKERFILE = (from: string, binName: string, path: string) =>
  [
    `FROM ${from}`,
    ...(from === 'scratch' ? ['COPY rootfs/ /'] : []),
    `COPY ${binName} ${path}`,
    // kube-proxy finds iptables in /usr/sbin
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    `ENTRYPOINT ["${path}"]`,
    '',
  ].join('\n')

/** The least a static Go program expects of a root filesystem: users, name lookup order, a writable /tmp. */
async function writeMiniRootfs(dir: string): Promise<void> {
  await mkdir(join(dir, 'etc'), { recursive: true })
  await mkdir(join(dir, 'tmp'), { recursive: true })
  await chmod(join(dir, 'tmp'), 0o1777)
  await writeFile(join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n')
  await writeFile(join(dir, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n')
  await writeFile(join(dir, 'etc', 'nsswitch.conf'), 'hosts: files dns\n')
}

function filesOf(dir: string): Array<[string, Buffer]> {
  const out: Array<[string, Buffer]> = []
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name)
      if (e.isDirectory()) walk(p)
      else out.push([`${relative(HERE, p)} ${statSync(p).mode & 0o777}`, readFileSync(p)])
    }
  }
  walk(dir)
  return out
}

/** sha256 of the base image's recipe: the rootfs recipe, the Dockerfile and every file it copies. */
export function baseSourceHash(): string {
  return sha256([['recipe-version', RECIPE_VERSION], ['rootfs', JSON.stringify(KIND_ROOTFS)], ['Dockerfile', readFileSync(DOCKERFILE)], ...filesOf(FILES_DIR)])
}

/** sha256 of a file's content (binaries: their identity is their bytes). */
/**
 * sha256 of a file's content (binaries: their identity is their bytes), the same digest as `sha256([['f', bytes]])`
 * but read in chunks, and once per run: the node image's recipe and each component image hash the same binaries.
 */
const fileHashes = new Map<string, string>()
function fileHash(p: string): string {
  const known = fileHashes.get(p)
  if (known) return known
  const h = createHash('sha256')
  h.update(`f\0${statSync(p).size}\0`)
  const fd = openSync(p, 'r')
  try {
    const buf = Buffer.alloc(1 << 20)
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n))
  } finally {
    closeSync(fd)
  }
  const digest = h.digest('hex')
  fileHashes.set(p, digest)
  return digest
}

export interface BuildDeps {
  sh: Shell
  log: Log
}

/** Paths of the tools and binaries the image is built from. */
export interface Parts {
  images: NodeImage[]
  etcd: string
  coredns: string
  crictl: string
}

export const kubeadmBin = () => join(BIN_DIR, 'kubeadm')

/** The images kubeadm will run for this Kubernetes version (the node must already hold every one). */
export async function kubeadmImages(sh: Shell): Promise<NodeImage[]> {
  const r = await sh.run(kubeadmBin(), ['config', 'images', 'list', '--kubernetes-version', K8S_VERSION], { quiet: true, readOnly: true })
  const images = parseKubeadmImages(r.stdout)
  for (const want of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy', 'etcd', 'coredns', 'pause']) {
    if (!images.some((i) => i.component === want)) throw new Error(`kubeadm config images list printed no ${want} image: ${r.stdout.trim().split('\n').join(', ')}`)
  }
  return images
}

/** etcd and CoreDNS at the versions kubeadm names, and crictl, built from their Go modules into the lab's build cache. */
export async function buildAddonBinaries({ sh, log }: BuildDeps, images: NodeImage[]): Promise<{ etcd: string; coredns: string; crictl: string }> {
  const etcdTag = images.find((i) => i.component === 'etcd')!.tag
  const etcdVersion = etcdModuleVersion(etcdTag)
  const etcdDir = join(CACHE_DIR, 'build', `etcd-${etcdVersion}`)
  const etcd = join(etcdDir, 'etcd')
  if (!existsSync(etcd)) {
    await mkdir(etcdDir, { recursive: true })
    await buildEtcd(sh, log, etcdVersion, etcd)
  } else log(`etcd ${etcdVersion} cached in ${etcdDir}`)
  const corednsVersion = images.find((i) => i.component === 'coredns')!.tag
  const coredns = await ensureGoTool(sh, corednsTool(corednsVersion), corednsDir(corednsVersion), log)
  const crictl = await ensureGoTool(sh, CRICTL_TOOL, join(CACHE_DIR, 'build', `crictl-${CRICTL_TOOL.version}`), log)
  return { etcd, coredns, crictl }
}

export const corednsTool = (version: string): GoTool => ({ name: 'coredns', pkg: 'github.com/coredns/coredns', version })
/** Where CoreDNS of a version is built (the lab's and the kind node's are the same binary). */
export const corednsDir = (version: string): string => join(CACHE_DIR, 'build', `coredns-${version}`)


/** The node image's recipe hash: the base, every binary, every image and the pause program. */
export async function nodeSourceHash(parts: Parts): Promise<string> {
  const bins = ['kubeadm', 'kubelet', 'kubectl', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy', 'metrics-server'].map((b): [string, string] => [b, fileHash(join(BIN_DIR, b))])
  return sha256([
    ['recipe-version', RECIPE_VERSION],
    ['base', baseSourceHash()],
    ['version', K8S_VERSION],
    ['images', parts.images.map((i) => i.ref).join(' ')],
    ['etcd', fileHash(parts.etcd)],
    ['coredns', fileHash(parts.coredns)],
    ['crictl', fileHash(parts.crictl)],
    ['pause', await pauseSourceHash()],
    ...bins,
  ])
}

/** Why the node image need not be built, or undefined. */
export async function nodeImageUpToDate(sh: Shell, source: string): Promise<string | undefined> {
  const labels = await imageLabels(sh, KIND_NODE_IMAGE)
  return labels?.[SOURCE_LABEL] === source ? `${KIND_NODE_IMAGE} is up to date (source ${source.slice(0, 12)})` : undefined
}

/** The base image: rootfs from debootstrap (cached), then the Dockerfile with files/ on top. */
export async function buildBaseImage({ sh, log }: BuildDeps): Promise<string | undefined> {
  const source = baseSourceHash()
  if ((await imageLabels(sh, KIND_BASE_IMAGE))?.[SOURCE_LABEL] === source) return `${KIND_BASE_IMAGE} is up to date`
  await ensureRootfsImage(sh, log, KIND_ROOTFS, KIND_ROOTFS_IMAGE, 'kind-node')
  await withTempDir('kind-base-', async (ctx) => {
    await copyFile(DOCKERFILE, join(ctx, 'Dockerfile'))
    await sh.run('cp', ['-a', FILES_DIR, join(ctx, 'files')], { quiet: true })
    await dockerBuild(sh, log, ctx, KIND_BASE_IMAGE, source, ['--build-arg', `ROOTFS=${KIND_ROOTFS_IMAGE}`])
  })
  return undefined
}

/** A component image: its binary on a minimal root (or on the node's rootfs), tagged with its upstream name. */
export async function buildComponentImage({ sh, log }: BuildDeps, ref: string, recipe: { bin: string; path: string; from: 'scratch' | 'rootfs' }): Promise<void> {
  const from = recipe.from === 'rootfs' ? KIND_ROOTFS_IMAGE : 'scratch'
  const binName = recipe.path.slice(recipe.path.lastIndexOf('/') + 1)
  const dockerfile = COMPONENT_DOCKERFILE(from, binName, recipe.path)
  const source = sha256([['recipe-version', RECIPE_VERSION], ['bin', fileHash(recipe.bin)], ['from', recipe.from === 'rootfs' ? baseSourceHash() : 'scratch'], ['Dockerfile', dockerfile]])
  if ((await imageLabels(sh, ref))?.[SOURCE_LABEL] === source) {
    log(`${ref} is up to date`)
    return
  }
  await withTempDir('kind-image-', async (ctx) => {
    await copyFile(recipe.bin, join(ctx, binName))
    await chmod(join(ctx, binName), 0o755)
    if (recipe.from === 'scratch') await writeMiniRootfs(join(ctx, 'rootfs'))
    await writeFile(join(ctx, 'Dockerfile'), dockerfile)
    await dockerBuild(sh, log, ctx, ref, source)
  })
}

/** One image per control-plane component, under the name kubeadm uses; pause is the lab's, retagged. */
export async function buildComponentImages(deps: BuildDeps, parts: Parts): Promise<void> {
  for (const img of parts.images) {
    const recipe = componentRecipe(img, parts)
    if (recipe) await buildComponentImage(deps, img.ref, recipe)
    else await docker(deps.sh).tag(PAUSE_IMAGE, img.ref, { log: deps.log })
  }
}

/**
 * The node image itself, the way kind's node-image build makes it: a container from the base image, the
 * binaries and version copied in, the images imported into its containerd, then `docker commit`.
 */
export async function assembleNodeImage({ sh, log }: BuildDeps, parts: Parts, source: string): Promise<void> {
  const name = `learn-k8s-kind-build-${process.pid}-${Date.now()}`
  const d = docker(sh)
  await d.runDetached(name, KIND_BASE_IMAGE, ['--entrypoint', 'sleep', '--security-opt', 'seccomp=unconfined'], ['infinity'], { log })
  try {
    for (const b of ['kubeadm', 'kubelet', 'kubectl']) {
      await d.cp(join(BIN_DIR, b), `${name}:/usr/bin/${b}`, { log })
    }
    await d.cp(parts.crictl, `${name}:/usr/local/bin/crictl`, { log })
    await d.exec(name, ['chown', 'root:root', '/usr/bin/kubeadm', '/usr/bin/kubelet', '/usr/bin/kubectl', '/usr/local/bin/crictl'], { quiet: true })
    await d.exec(name, ['sh', '-c', 'cat > /kind/version'], { stdin: true, input: K8S_VERSION, quiet: true })
    await withTempDir('kind-images-', async (dir) => {
      const tar = join(dir, 'images.tar')
      await d.save(tar, parts.images.map((i) => i.ref), { log })
      await d.cp(tar, `${name}:/images.tar`, { log })
    })
    // containerd in the build container only to fill its image store, as kind does (no unpack: no mounts needed)
    await d.exec(name, ['bash', '-c', 'nohup containerd > /var/log/containerd-build.log 2>&1 &'], { log })
    await d.exec(name, ['bash', '-c', 'for i in $(seq 100); do [ -S /run/containerd/containerd.sock ] && ctr version >/dev/null 2>&1 && exit 0; sleep 0.1; done; exit 1'], { quiet: true })
    await d.exec(name, nodeCtr('images', 'import', '--all-platforms', '--no-unpack', '--digests', '/images.tar'), { log })
    const listed = await d.exec(name, nodeCtr('images', 'list', '-q'), { quiet: true, readOnly: true })
    const missing = parts.images.filter((i) => !listed.stdout.split('\n').includes(i.ref))
    if (missing.length) throw new Error(`the node's containerd lacks ${missing.map((i) => i.ref).join(', ')} after the import`)
    await d.exec(name, ['bash', '-c', 'pkill containerd; for i in $(seq 100); do pgrep -x containerd >/dev/null || break; sleep 0.1; done; rm -f /images.tar /var/log/containerd-build.log; rm -rf /run/containerd'], { quiet: true })
    await replacing(sh, log, KIND_NODE_IMAGE, async () => {
      await d.commit(name, KIND_NODE_IMAGE, ['ENTRYPOINT [ "/usr/local/bin/entrypoint", "/sbin/init" ]', `LABEL ${SOURCE_LABEL}=${source}`], { log })
    })
  } finally {
    await d.rm(name, { quiet: true, allowFail: true })
  }
}

/** The kind binary, built from its module into the project's tool cache. */
export const ensureKind = (sh: Shell, log: Log): Promise<string> => ensureGoTool(sh, KIND_TOOL, undefined, log)
