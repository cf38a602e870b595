/**
 * A tiny JSON file (<repo>/.cache/state.json, gitignored) for what one run must tell a later one —
 * today only the kubectl context's namespace before up.ts switched it, so teardown can put it back.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { ROOT } from './tutorial.ts'

export const STATE_FILE = join(ROOT, '.cache', 'state.json')

export interface State {
  /** The context namespace before the tutorial switched it to `hellogopher`. */
  previousNamespace?: string
}

/** The saved state; `{}` when there is none yet. A damaged file throws (it is not silently forgotten). */
export function readState(file = STATE_FILE): State {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw new Error(`cannot read ${file}: ${(e as Error).message}`)
  }
  try {
    const v = JSON.parse(text) as unknown
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object')
    return v as State
  } catch (e) {
    throw new Error(`${file} is not valid state (${(e as Error).message}) — delete it; it only remembers the previous context namespace`)
  }
}

/** Merge `patch` into the saved state (a key set to undefined is removed) and return the result. */
export function writeState(patch: Partial<State>, file = STATE_FILE): State {
  const next: Record<string, unknown> = { ...readState(file) }
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete next[k]
    else next[k] = v
  }
  mkdirSync(dirname(file), { recursive: true })
  // write-then-rename, so an interrupted run never leaves half a file behind
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`)
  renameSync(tmp, file)
  return next as State
}
