/**
 * Secret registry: every value registered here is masked in command echoes, errors, task output and logs.
 *
 * Any length is registered, a 1-character password too. Values of 3 characters or more (and every base64 form,
 * which is at least 4 characters) are masked wherever they appear. A 1–2 character value is masked only where it
 * stands as a value: after `=` or `:` (key=value, `password: x`), in quotes, or as the whole text — masking every
 * "a" or "12" would shred every line and, by its gaps, point at the secret anyway. That is the deliberate choice:
 * a short secret in free prose (`… a …`) is not masked.
 */

const MASK = '••••••'
const secrets = new Set<string>()
const shortSecrets = new Set<string>()

/** Below this length a value is masked only as a whole value (see above). */
export const SHORT_SECRET = 3

function add(value: string): void {
  if (!value) return
  if (value.length < SHORT_SECRET) shortSecrets.add(value)
  else secrets.add(value)
}

/** Register a secret value; its base64 form is registered too, since manifests and patches carry that. */
export function registerSecret(value: string | undefined | null): void {
  if (!value) return
  add(value)
  add(Buffer.from(value, 'utf8').toString('base64'))
  // a value given already base64-encoded is a secret in its decoded form as well
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(value) && value.length % 4 === 0) {
    const decoded = Buffer.from(value, 'base64').toString('utf8')
    if (decoded && /^[\x20-\x7e]+$/.test(decoded)) add(decoded)
  }
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Mask every registered secret in text. Longest first, so a value containing another is masked whole. */
export function redact(text: string): string {
  if (!text || (secrets.size === 0 && shortSecrets.size === 0)) return text
  let out = text
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (out.includes(s)) out = out.split(s).join(MASK)
  }
  for (const s of [...shortSecrets].sort((a, b) => b.length - a.length)) {
    if (!out.includes(s)) continue
    if (out.trim() === s) return out.replace(s, MASK)
    const v = escape(s)
    out = out
      .replace(new RegExp(`([=:]\\s*)${v}(?=$|[\\s"',;&)}\\]])`, 'gm'), `$1${MASK}`)
      .replace(new RegExp(`(["'])${v}\\1`, 'g'), `$1${MASK}$1`)
  }
  return out
}

export const REDACTED = MASK

/** For tests only: forget every registered secret. */
export function clearSecrets(): void {
  secrets.clear()
  shortSecrets.clear()
}
