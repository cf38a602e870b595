/** Small helpers several suites share: fake kubeconfig files (never contacted) and "is this process still alive". */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pidAlive } from '../../tasks/lib/lifecycle.ts'

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

/** Alive = in the process table and not a zombie waiting to be reaped (the tasks' own check). */
export const alive = (pid: number): boolean => pidAlive(pid)
