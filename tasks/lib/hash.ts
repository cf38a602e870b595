/** Content hashes that decide whether a build is still current (the image label holds the hash it was built from). */
import { createHash } from 'node:crypto'

/** sha256 over named parts; names and lengths are hashed too, so moving bytes between parts changes the hash. */
export function sha256Parts(parts: Array<[name: string, content: string | Buffer]>): string {
  const h = createHash('sha256')
  for (const [name, content] of parts) {
    h.update(`${name}\0${Buffer.byteLength(content)}\0`)
    h.update(content)
  }
  return h.digest('hex')
}
