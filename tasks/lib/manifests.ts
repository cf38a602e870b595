/**
 * The tutorial's YAML (manifests/*.yml or one lesson variant): loaded once — every secret value in it is
 * registered for redaction right then — with the provider's image swaps applied visibly, and rendered to a
 * private temp dir for `kubectl apply -f` only when something was changed.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join, relative, resolve } from 'node:path'
import { LineCounter, parseAllDocuments, type Document } from 'yaml'
import type { KubernetesObject } from './kube.ts'
import { DEFAULT_IMAGE_REPO, ROOT } from './tutorial.ts'
import { registerTempPath, releaseTempPath, tempPrefix } from './lifecycle.ts'
import { registerSecret } from './redact.ts'

export class ManifestError extends Error {
  override name = 'ManifestError'
}

export interface ManifestFile {
  path: string
  /** As the learner would type it: relative to the repo root when inside it. */
  rel: string
  text: string
  docs: Document[]
}

export interface Manifests {
  /** The file or folder given (absolute). */
  source: string
  rel: string
  files: ManifestFile[]
}

/** One visible change to the tutorial's YAML, e.g. `image override (lab): mysql:8.0 → localhost/lab/mysql-compat:…`. */
export interface Override {
  file: string
  object: string
  field: 'image' | 'imagePullPolicy'
  from: string
  to: string
  /** Who asked for it: `lab`, `--tag 2.0`, … */
  source: string
}

export interface OverrideSpec {
  source: string
  /** Exact image reference → replacement. */
  images?: Record<string, string>
  /** Forced on containers running images of `pullPolicyRepo`. */
  pullPolicy?: 'Always' | 'IfNotPresent' | 'Never'
  pullPolicyRepo?: string
}

/** Env names whose value is a secret: PASSWORD, PASSWD, PASS, PWD, SECRET, TOKEN, KEY, CREDENTIAL(S), AUTH, PRIVATE, CERT… */
export const SECRET_ENV_NAME = /PASS|PWD|SECRET|TOKEN|KEY|CREDENTIAL|AUTH|PRIVATE|CERT|SESSION|COOKIE|SIGNATURE|SALT|DSN|CONN(ECTION)?_?STR/i

/** Path as shown to the learner. */
export function displayPath(p: string): string {
  const rel = relative(ROOT, p)
  return rel && !rel.startsWith('..') ? rel : p
}

/** Load a folder's `*.yml`/`*.yaml` (sorted, not recursive) or one file. Malformed YAML → one line naming file and line. */
export function loadManifests(source: string): Manifests {
  const abs = resolve(source)
  let paths: string[]
  try {
    paths = statSync(abs).isDirectory()
      ? readdirSync(abs)
          .filter((f) => /\.ya?ml$/.test(f))
          .sort()
          .map((f) => join(abs, f))
      : [abs]
  } catch (e) {
    throw new ManifestError(`cannot read manifests at ${displayPath(abs)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
  if (!paths.length) throw new ManifestError(`no *.yml files in ${displayPath(abs)}`)
  const files = paths.map((p) => parseFile(p, readFileSync(p, 'utf8')))
  const empty = files.find((f) => !f.docs.length)
  if (empty) throw new ManifestError(`${empty.rel} is empty: it holds no Kubernetes object to apply`)
  return { source: abs, rel: displayPath(abs), files }
}

/** Parse one file's text (multi-document). Exported for tests. */
export function parseFile(path: string, text: string): ManifestFile {
  const rel = displayPath(path)
  const lineCounter = new LineCounter()
  const docs = parseAllDocuments(text, { lineCounter })
  if (!Array.isArray(docs)) return { path, rel, text, docs: [] } // an empty stream
  for (const doc of docs) {
    const err = doc.errors[0]
    if (err) {
      const line = err.linePos?.[0]?.line ?? lineCounter.linePos(err.pos[0]).line
      const what = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')
      throw new ManifestError(`${rel}:${line}: malformed YAML: ${what}`)
    }
  }
  // a bare `---` at the end, or a document of comments only, holds nothing to apply
  const kept = docs.filter((d) => d.contents !== null && d.toJS() !== null)
  kept.forEach((doc) => {
    const obj = doc.toJS() as KubernetesObject | null
    if (!obj || typeof obj !== 'object' || !obj.kind || !obj.apiVersion || !obj.metadata?.name) {
      const line = doc.contents?.range ? lineCounter.linePos(doc.contents.range[0]).line : 1
      throw new ManifestError(`${rel}:${line}: not a Kubernetes object (needs apiVersion, kind and metadata.name)`)
    }
    registerSecretsOf(obj)
  })
  return { path, rel, text, docs: kept }
}

/** Register what must never be shown: Secret data/stringData values, and env `value:`s whose name says secret. */
export function registerSecretsOf(obj: KubernetesObject): void {
  const o = obj as KubernetesObject & { data?: Record<string, unknown>; stringData?: Record<string, unknown> }
  if (o.kind === 'Secret') {
    for (const v of [...Object.values(o.data ?? {}), ...Object.values(o.stringData ?? {})]) if (typeof v === 'string') registerSecret(v)
  }
  walk(obj, [], (node, _path, key) => {
    if (key !== 'env' || !Array.isArray(node)) return
    for (const e of node as Array<{ name?: unknown; value?: unknown }>) {
      if (typeof e?.name === 'string' && typeof e.value === 'string' && SECRET_ENV_NAME.test(e.name)) registerSecret(e.value)
    }
  })
}

type Visit = (node: unknown, path: Array<string | number>, key: string | number | undefined) => void

function walk(node: unknown, path: Array<string | number>, visit: Visit): void {
  visit(node, path, path[path.length - 1])
  if (Array.isArray(node)) node.forEach((v, i) => walk(v, [...path, i], visit))
  else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, [...path, k], visit)
}

interface ContainerAt {
  path: Array<string | number>
  image?: string
  imagePullPolicy?: string
}

/** Every container (and init container) of every pod template in the object, with its YAML path. */
export function containersOf(obj: unknown): ContainerAt[] {
  const found: ContainerAt[] = []
  walk(obj, [], (node, path, key) => {
    if ((key === 'containers' || key === 'initContainers') && Array.isArray(node)) {
      node.forEach((c: { image?: string; imagePullPolicy?: string }, i) => {
        if (c && typeof c === 'object') found.push({ path: [...path, i], image: c.image, imagePullPolicy: c.imagePullPolicy })
      })
    }
  })
  return found
}

const objectName = (o: KubernetesObject) => `${(o.kind ?? 'object').toLowerCase()}/${o.metadata?.name ?? '?'}`

/** Apply the overrides to copies of the documents; the originals are untouched. */
export function applyOverrides(m: Manifests, specs: OverrideSpec[]): { manifests: Manifests; overrides: Override[] } {
  const overrides: Override[] = []
  const files = m.files.map((f) => {
    const docs = f.docs.map((d) => d.clone())
    for (const doc of docs) {
      for (const spec of specs) {
        const obj = doc.toJS() as KubernetesObject
        for (const c of containersOf(obj)) {
          const to = c.image !== undefined ? spec.images?.[c.image] : undefined
          let image = c.image
          if (to !== undefined && to !== c.image) {
            doc.setIn([...c.path, 'image'], to)
            overrides.push({ file: f.rel, object: objectName(obj), field: 'image', from: c.image!, to, source: spec.source })
            image = to
          }
          const repo = spec.pullPolicyRepo ?? DEFAULT_IMAGE_REPO
          // the original ref counts too: the same spec may just have swapped it for a registry ref (remote)
          const tutorialImage = [c.image, image].some((i) => i?.startsWith(`${repo}:`))
          if (spec.pullPolicy && tutorialImage && c.imagePullPolicy !== spec.pullPolicy) {
            doc.setIn([...c.path, 'imagePullPolicy'], spec.pullPolicy)
            overrides.push({ file: f.rel, object: objectName(obj), field: 'imagePullPolicy', from: c.imagePullPolicy ?? '(default)', to: spec.pullPolicy, source: spec.source })
          }
        }
      }
    }
    return { ...f, docs }
  })
  return { manifests: { ...m, files }, overrides }
}

/** The objects, in apply order. */
export function manifestObjects(m: Manifests): KubernetesObject[] {
  return m.files.flatMap((f) => f.docs.map((d) => d.toJS() as KubernetesObject))
}

export function describeOverride(o: Override): string {
  return o.field === 'image'
    ? `image override (${o.source}): ${o.from} → ${o.to}`
    : `imagePullPolicy override (${o.source}) on ${o.object}: ${o.from} → ${o.to}`
}

export interface Rendered {
  /** What `kubectl apply -f` gets: the original file/folder, or a private temp dir. */
  dir: string
  files: string[]
  overrides: Override[]
  temporary: boolean
  /** Removes the temp dir (a no-op for the originals). */
  cleanup(): Promise<void>
}

/**
 * The manifests as kubectl should apply them. Unchanged → the original path. Changed → every file written to a
 * fresh temp dir, mode 0600 (the Secret is in there).
 */
export function renderManifests(m: Manifests, overrides: Override[], opts: { dryRun?: boolean } = {}): Rendered {
  if (!overrides.length) {
    return { dir: m.source, files: m.files.map((f) => f.path), overrides, temporary: false, cleanup: async () => {} }
  }
  if (opts.dryRun) {
    // nothing is written under --dry-run (the Secret would be in there): the plan names where it would go
    const dir = join(tmpdir(), 'learn-k8s-manifests-XXXXXX')
    return { dir, files: m.files.map((f) => join(dir, basename(f.path))), overrides, temporary: true, cleanup: async () => {} }
  }
  const dir = mkdtempSync(join(tmpdir(), tempPrefix('learn-k8s-manifests')))
  // removed on any exit too (Ctrl-C, SIGTERM): lifecycle.ts
  registerTempPath(dir)
  const changed = new Set(overrides.map((o) => o.file))
  const files = m.files.map((f) => {
    const out = join(dir, basename(f.path))
    writeFileSync(out, changed.has(f.rel) ? f.docs.map((d) => d.toString()).join('') : f.text, { mode: 0o600 })
    return out
  })
  return {
    dir,
    files,
    overrides,
    temporary: true,
    cleanup: async () => {
      await rm(dir, { recursive: true, force: true })
      releaseTempPath(dir)
    },
  }
}
