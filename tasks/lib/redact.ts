/** Secret registry: every value registered here is masked in command echoes, errors, task output and logs. */

const MASK = '••••••'
const secrets = new Set<string>()

/** Register a secret value; its base64 form is registered too, since manifests and patches carry that. */
export function registerSecret(value: string | undefined | null): void {
  if (!value || value.length < 3) return // masking "a" or "12" would shred every line
  secrets.add(value)
  secrets.add(Buffer.from(value, 'utf8').toString('base64'))
  // a value given already base64-encoded is a secret in its decoded form as well
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(value) && value.length % 4 === 0) {
    const decoded = Buffer.from(value, 'base64').toString('utf8')
    if (decoded.length >= 3 && /^[\x20-\x7e]+$/.test(decoded)) secrets.add(decoded)
  }
}

/** Mask every registered secret in text. Longest first, so a value containing another is masked whole. */
export function redact(text: string): string {
  if (!text || secrets.size === 0) return text
  let out = text
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (out.includes(s)) out = out.split(s).join(MASK)
  }
  return out
}

export const REDACTED = MASK

/** For tests only: forget every registered secret. */
export function clearSecrets(): void {
  secrets.clear()
}
