/**
 * Reads from docker's Engine API on its unix socket, in this process: what `docker image inspect` prints, without
 * starting a docker CLI per image (each costs a Go program's start-up). Reads only: builds and loads still run the
 * `docker` commands the learner sees.
 */
import { request } from 'node:http'

/** What a skip check needs of an image: its ID (config digest) and labels. */
export interface DockerImage {
  id: string
  labels: Record<string, string>
}

/** An image reference as docker's routes take it (name[:tag][@digest]); anything else is refused before a request. */
const REF = /^[\w][\w.\/:@-]*$/

/**
 * `GET /images/<ref>/json` on the socket: the image, or undefined when docker has no such image (404).
 * Anything else — no daemon, an error answer — throws, naming the socket and what to do: absent is not broken.
 */
export function inspectImage(socketPath: string, image: string, timeoutMs = 10_000): Promise<DockerImage | undefined> {
  if (!REF.test(image) || image.includes('..')) return Promise.reject(new Error(`not an image reference: '${image}'`))
  const what = `docker API GET /images/${image}/json on ${socketPath}`
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: `/images/${image}/json`, method: 'GET', timeout: timeoutMs, headers: { Host: 'docker' } }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (body += d))
      res.on('end', () => {
        if (res.statusCode === 404) return resolve(undefined)
        let parsed: { Id?: string; Config?: { Labels?: Record<string, string> | null }; message?: string } = {}
        try {
          parsed = JSON.parse(body)
        } catch {
          // not JSON: reported below with the status
        }
        if (res.statusCode !== 200 || typeof parsed.Id !== 'string') {
          return reject(new Error(`${what}: HTTP ${res.statusCode} ${(parsed.message ?? body).trim().slice(0, 200)}`))
        }
        resolve({ id: parsed.Id, labels: parsed.Config?.Labels ?? {} })
      })
      res.on('error', (e) => reject(new Error(`${what}: ${e.message}`)))
    })
    req.on('timeout', () => req.destroy(new Error(`no answer within ${Math.round(timeoutMs / 1000)}s`)))
    req.on('error', (e: NodeJS.ErrnoException) =>
      reject(new Error(`${what}: ${e.code ?? e.message} — is the docker daemon of the cluster running? (npx tsx tasks/start-cluster.ts)`)),
    )
    req.end()
  })
}
