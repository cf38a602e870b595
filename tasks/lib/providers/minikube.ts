/** The tutorial's own cluster: minikube, with images built straight into its docker (`minikube docker-env`). */
import type { Kube } from '../kube.ts'
import type { Shell } from '../shell.ts'
import type { Provider, ProviderStatus } from './types.ts'

/** Parse `minikube docker-env` output (bash/zsh `export K="v"`, fish `set -gx K "v"`, PowerShell `$Env:K = "v"`, cmd `SET K=v`). */
export function parseDockerEnv(output: string): Record<string, string> {
  const env: Record<string, string> = {}
  const patterns = [
    /^\s*export\s+([A-Z_][A-Z0-9_]*)="?([^"\n]*)"?\s*$/,
    /^\s*set\s+-gx\s+([A-Z_][A-Z0-9_]*)\s+"?([^"\n]*)"?;?\s*$/,
    /^\s*\$Env:([A-Z_][A-Z0-9_]*)\s*=\s*"([^"\n]*)"\s*$/i,
    /^\s*SET\s+([A-Z_][A-Z0-9_]*)=(.*?)\s*$/i,
  ]
  for (const line of output.split(/\r?\n/)) {
    for (const re of patterns) {
      const m = re.exec(line)
      if (m) {
        env[m[1]!] = m[2]!
        break
      }
    }
  }
  return env
}

/** Parse `minikube status -o json`. */
export function parseMinikubeStatus(json: string): ProviderStatus {
  let s: { Host?: string; APIServer?: string; Kubelet?: string; Name?: string }
  try {
    s = JSON.parse(json)
  } catch {
    return { running: false, detail: 'minikube: no cluster (status did not answer)' }
  }
  const running = s.Host === 'Running' && s.APIServer === 'Running'
  return { running, detail: `minikube: host ${s.Host ?? '?'}, apiserver ${s.APIServer ?? '?'}, kubelet ${s.Kubelet ?? '?'}` }
}

export interface MinikubeOptions {
  /** `--driver` for `minikube start` (docker, kvm2, …); minikube picks one when unset. */
  driver?: string
  profile?: string
}

export function minikubeProvider(opts: MinikubeOptions = {}): Provider {
  const profile = opts.profile ?? 'minikube'
  const profileArgs = profile === 'minikube' ? [] : ['-p', profile]
  return {
    name: 'minikube',
    requiredTools: ['minikube', 'kubectl', 'docker'],
    target: () => ({ context: profile }),
    commandEnv: () => ({}),
    async status(sh: Shell) {
      const r = await sh.run('minikube', ['status', '-o', 'json', ...profileArgs], { quiet: true, allowFail: true, readOnly: true })
      return parseMinikubeStatus(r.stdout)
    },
    startCommands: () => [['minikube', 'start', ...profileArgs, ...(opts.driver ? [`--driver=${opts.driver}`] : [])]],
    async start(sh, log) {
      for (const [bin, ...args] of this.startCommands()) await sh.run(bin!, args, { log })
    },
    async stop(sh, log) {
      await sh.run('minikube', ['stop', ...profileArgs], { log })
    },
    dockerEnvCommand: () => ['minikube', 'docker-env', '--shell', 'bash', ...profileArgs],
    async dockerEnv(sh) {
      const [bin, ...args] = this.dockerEnvCommand()!
      const r = await sh.run(bin!, args, { quiet: true, readOnly: true })
      return parseDockerEnv(r.stdout)
    },
    async imageInRuntime(sh, image) {
      // with docker-env the build lands in minikube's own docker: present there = present in the runtime
      const env = await this.dockerEnv(sh)
      const r = await sh.run('docker', ['image', 'inspect', '--format', '{{.Id}}', image], { env, quiet: true, allowFail: true, readOnly: true })
      return r.exitCode === 0
    },
    async serviceUrl(sh: Shell, _kube: Kube, namespace: string, service: string) {
      const r = await sh.run('minikube', ['service', service, '-n', namespace, '--url', ...profileArgs], { readOnly: true })
      const url = r.stdout.split('\n').map((l) => l.trim()).find((l) => /^https?:\/\//.test(l))
      if (!url) throw new Error(`minikube service ${service} -n ${namespace} --url printed no URL`)
      return url
    },
    imageOverrides: () => ({}),
    ownsContext: (context) => context === profile,
  }
}
