/**
 * `lesson N --diff`: how the tutorial's YAML changes from the previous lesson to this one, as a unified diff
 * (jsdiff). Each lesson declares the files a learner's folder holds after it (manifests/ paths, by a stable
 * role, e.g. `app` for hellogopher.yml); a lesson's diff compares the folder before and after it. Secret values
 * are masked in the YAML before diffing (Secret data, env values named *PASSWORD*), and the text is redacted.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createTwoFilesPatch } from 'diff'
import { isMap, parseAllDocuments, type Document } from 'yaml'
import { MANIFESTS_DIR } from '../lib/tutorial.ts'
import type { KubernetesObject } from '@kubernetes/client-node'
import { registerSecretsOf, SECRET_ENV_NAME } from '../lib/manifests.ts'
import { redact, REDACTED } from '../lib/redact.ts'

/** One change to the learner's folder: role → manifests/ path (null: the file goes). */
export interface ManifestStage {
  /** What the learner does to the YAML, e.g. `the readiness probe on the wrong port`. */
  title: string
  files: Record<string, string | null>
}

interface Staged {
  number: number
  title: string
  manifests?: ManifestStage[]
}

type Folder = Record<string, string>

/** The folder after every stage of lessons 0…n−1 (before lesson n). */
export function folderBefore(lessons: readonly Staged[], n: number): Folder {
  const folder: Folder = {}
  for (const l of lessons) {
    if (l.number >= n) break
    for (const s of l.manifests ?? []) apply(folder, s)
  }
  return folder
}

function apply(folder: Folder, s: ManifestStage): void {
  for (const [role, path] of Object.entries(s.files)) {
    if (path === null) delete folder[role]
    else folder[role] = path
  }
}

/** A manifest's text with its secret values masked (the rest, comments included, as written). */
export function maskedText(rel: string): string {
  const text = readFileSync(join(MANIFESTS_DIR, rel), 'utf8')
  if (!/\.ya?ml$/.test(rel)) return text
  const docs = parseAllDocuments(text) as Document[]
  if (!Array.isArray(docs)) return text
  let masked = false
  const mask = (doc: Document, path: Array<string | number>) => {
    doc.setIn(path, REDACTED)
    masked = true
  }
  for (const doc of docs) {
    const obj = doc.toJS() as KubernetesObject | null
    if (!obj) continue
    registerSecretsOf(obj)
    if (obj.kind === 'Secret') {
      for (const field of ['data', 'stringData']) {
        const m = doc.get(field)
        if (isMap(m)) for (const item of m.items) mask(doc, [field, (item.key as { value?: unknown })?.value as string])
      }
    }
    maskEnv(obj, [], (path) => mask(doc, path))
  }
  // unmasked files are shown exactly as written (re-serialising would respace flow lists)
  return masked ? docs.map((d) => d.toString()).join('') : text
}

/** Env entries whose name says secret: the path of their plain `value:`. */
function maskEnv(node: unknown, path: Array<string | number>, found: (path: Array<string | number>) => void): void {
  if (Array.isArray(node)) {
    const isEnv = path[path.length - 1] === 'env'
    node.forEach((item, i) => {
      const e = item as { name?: unknown; value?: unknown }
      if (isEnv && typeof e?.name === 'string' && typeof e.value === 'string' && SECRET_ENV_NAME.test(e.name)) found([...path, i, 'value'])
      else maskEnv(item, [...path, i], found)
    })
  } else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) maskEnv(v, [...path, k], found)
  }
}

const ANSI = { red: '\x1b[31m', green: '\x1b[32m', cyan: '\x1b[36m', bold: '\x1b[1m', dim: '\x1b[2m', reset: '\x1b[0m' }

function colour(patch: string): string {
  return patch
    .split('\n')
    .map((l) =>
      l.startsWith('+++') || l.startsWith('---') ? `${ANSI.bold}${l}${ANSI.reset}`
      : l.startsWith('@@') ? `${ANSI.cyan}${l}${ANSI.reset}`
      : l.startsWith('+') ? `${ANSI.green}${l}${ANSI.reset}`
      : l.startsWith('-') ? `${ANSI.red}${l}${ANSI.reset}`
      : l,
    )
    .join('\n')
}

const shown = (rel: string | undefined) => (rel ? `manifests/${rel}` : '/dev/null')

/** The diff of one folder change, file by file (roles in a stable order). */
function folderDiff(before: Folder, after: Folder, labels: { before: string; after: string }): string[] {
  const roles = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()
  const out: string[] = []
  for (const role of roles) {
    const a = before[role]
    const b = after[role]
    if (a === b) continue
    const patch = createTwoFilesPatch(shown(a), shown(b), a ? maskedText(a) : '', b ? maskedText(b) : '', labels.before, labels.after, { context: 3 })
    // jsdiff starts with a line of `=`; the ---/+++ headers say the same
    out.push(patch.replace(/^=+\n/, '').replace(/^Index: .*\n/, '').trimEnd())
  }
  return out
}

/** Lesson n's manifest change(s) from the previous lesson, or a line saying there is none. */
export function lessonDiff(lessons: readonly Staged[], n: number, o: { color?: boolean } = {}): string {
  const lesson = lessons.find((l) => l.number === n)
  if (!lesson) throw new Error(`no lesson ${n}`)
  // every secret of the tutorial's YAML is masked in every lesson's diff (a comment may name one in another file)
  for (const l of lessons) for (const s of l.manifests ?? []) for (const rel of Object.values(s.files)) if (rel) maskedText(rel)
  let folder = folderBefore(lessons, n)
  const parts: string[] = []
  const stages = lesson.manifests ?? []
  stages.forEach((s, i) => {
    const next = { ...folder }
    apply(next, s)
    const before = i === 0 ? (n > 0 ? `lesson ${n - 1}` : 'start') : `lesson ${n}, step ${i}`
    const after = stages.length > 1 ? `lesson ${n}, step ${i + 1}` : `lesson ${n}`
    const files = folderDiff(folder, next, { before, after })
    if (files.length) parts.push(`# ${stages.length > 1 ? `step ${i + 1}: ` : ''}${s.title}`, ...files)
    folder = next
  })
  if (!parts.length) return `Lesson ${n} (${lesson.title}) changes no manifest: ${noChangeReason(n)}`
  const text = redact(parts.join('\n'))
  return o.color ? colour(text) : text
}

function noChangeReason(n: number): string {
  if (n <= 2) return 'the YAML starts in lesson 3'
  if (n === 15) return 'teardown deletes the objects; the files stay as lesson 14 left them'
  return 'its commands act on the cluster (kubectl, minikube), not on the YAML'
}
