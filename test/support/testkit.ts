/** Small helpers several suites share: fake kubeconfig files (never contacted) and "is this process still alive". */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** A one-context kubeconfig in dir/name whose server is never contacted by the tests that use it. */
export function fakeKubeconfig(dir: string, name: string, context: string, server: string): string {
  const f = join(dir, name)
  writeFileSync(
    f,
    [
      `clusters: [{name: c, cluster: {server: "${server}"}}]`,
      'users: [{name: u, user: {token: not-a-real-token}}]',
      `contexts: [{name: ${context}, context: {cluster: c, user: u}}]`,
      `current-context: ${context}`,
    ].join('\n'),
  )
  return f
}

/** Alive = in the process table and not a zombie waiting to be reaped. */
export function alive(pid: number): boolean {
  if (!existsSync('/proc/self')) {
    // no /proc (macOS): the process table itself
    try {
      process.kill(pid, 0)
      return true
    } catch {
      return false
    }
  }
  const stat = `/proc/${pid}/stat`
  if (!existsSync(stat)) return false
  try {
    // a zombie (Z) has ended; only its exit status waits to be collected
    return readFileSync(stat, 'utf8').split(') ')[1]?.[0] !== 'Z'
  } catch {
    return false
  }
}
