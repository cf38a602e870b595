/**
 * Light kubeconfig reads (a YAML file, no client library, no network): which context a run acts on, so
 * the context guard can refuse before anything is loaded or sent.
 */
import { existsSync, readFileSync } from 'node:fs'
import { parse } from 'yaml'
import type { KubeTarget } from './kube-state.ts'

/** The kubeconfig files kubectl would read, in order. */
export function kubeconfigFiles(target: KubeTarget = {}): string[] {
  if (target.kubeconfig) return [target.kubeconfig]
  const env = process.env.KUBECONFIG?.split(':').filter(Boolean)
  return env?.length ? env : [`${process.env.HOME}/.kube/config`]
}

interface KubeconfigFile {
  'current-context'?: string
  contexts?: Array<{ name?: string; context?: { namespace?: string } }>
}

function load(file: string): KubeconfigFile | undefined {
  if (!existsSync(file)) return undefined
  try {
    return (parse(readFileSync(file, 'utf8')) as KubeconfigFile | null) ?? undefined
  } catch {
    return undefined // unreadable: the client library will say what is wrong when it is really used
  }
}

/** The context a run acts on: the explicit one, else the first current-context of the kubeconfig files. */
export function targetContext(target: KubeTarget = {}): string | undefined {
  if (target.context) return target.context
  for (const f of kubeconfigFiles(target)) {
    const cc = load(f)?.['current-context']
    if (cc) return cc
  }
  return undefined
}

/** The kubeconfig's own current-context (ignoring any explicit context), for `set-context --current` decisions. */
export function fileCurrentContext(target: KubeTarget = {}): string | undefined {
  return targetContext({ kubeconfig: target.kubeconfig })
}
