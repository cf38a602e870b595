/** The programs the tutorial uses: how to ask each for its version and how to get it when missing. */

export interface ToolSpec {
  name: string
  /** Arguments that print the version. */
  versionArgs: string[]
  /** Pulls the version number out of that output. */
  versionPattern: RegExp
  hint: string
  /** Which providers need it ('all' = every run). */
  neededBy: Array<'all' | 'minikube' | 'kind' | 'lab' | 'remote'>
}

export const TOOLS: ToolSpec[] = [
  {
    name: 'kubectl',
    versionArgs: ['version', '--client'],
    versionPattern: /Client Version:\s*v?([\w.+-]+)/,
    hint: 'install kubectl (https://kubernetes.io/docs/tasks/tools/); the lab provider builds its own',
    neededBy: ['minikube', 'kind', 'remote'],
  },
  {
    name: 'docker',
    versionArgs: ['version', '--format', '{{.Client.Version}}'],
    versionPattern: /^\s*([\w.+-]+)/,
    hint: 'install Docker (Debian: apt-get install docker.io); the lab provider installs and starts its own dockerd',
    neededBy: ['all'],
  },
  {
    name: 'go',
    versionArgs: ['version'],
    versionPattern: /go version go([\w.+-]+)/,
    hint: 'install Go ≥ 1.22 (https://go.dev/dl/) — hellogopher and the lab cluster are built with it',
    neededBy: ['all'],
  },
  {
    name: 'minikube',
    versionArgs: ['version', '--short'],
    versionPattern: /v?(\d+\.\d+\.\d+[\w.+-]*)/,
    hint: 'install minikube (https://minikube.sigs.k8s.io/docs/start/) or use --provider kind|lab',
    neededBy: ['minikube'],
  },
  {
    name: 'kind',
    versionArgs: ['version'],
    versionPattern: /kind v?([\w.+-]+)/,
    hint: 'install kind (go install sigs.k8s.io/kind@latest) or use --provider minikube|lab',
    neededBy: ['kind'],
  },
]

const EXTRA_HINTS: Record<string, string> = {
  ctr: 'apt-get install containerd (the lab provider does this when run as root)',
  containerd: 'apt-get install containerd (the lab provider does this when run as root)',
  iptables: 'apt-get install iptables',
  gcc: 'apt-get install gcc libc6-dev',
  debootstrap: 'apt-get install debootstrap',
  actionlint: 'go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12',
}

export function toolHint(name: string): string {
  return TOOLS.find((t) => t.name === name)?.hint ?? EXTRA_HINTS[name] ?? `install ${name} and make sure it is on PATH`
}

export function parseToolVersion(spec: ToolSpec, output: string): string | undefined {
  return spec.versionPattern.exec(output)?.[1]
}
