/**
 * The `minikube` CLI: the one place its argv is built. `p` is the profile's arguments (`-p <profile>`, or none for
 * minikube's default profile: providers/minikube.ts profileArgs), always last, as the tutorial types them.
 * The provider and lesson 9 run these through the Shell, so each command is echoed.
 */

/** minikube's argv for each verb this project uses (pure). */
export const minikubeArgs = {
  /** Every profile with its config (the container runtime is read from it); not per-profile. */
  profileList: () => ['profile', 'list', '-o', 'json'],
  status: (p: string[]) => ['status', '-o', 'json', ...p],
  start: (p: string[], driver?: string) => ['start', ...p, ...(driver ? ['--driver', driver] : [])],
  stop: (p: string[]) => ['stop', ...p],
  dockerEnv: (p: string[]) => ['docker-env', '--shell', 'bash', ...p],
  imageLoad: (image: string, p: string[]) => ['image', 'load', image, ...p],
  imageLs: (p: string[]) => ['image', 'ls', '--format', 'json', ...p],
  /** `minikube service <svc> -n <ns> --url`: prints the URL; on the docker driver of macOS/Windows keeps a tunnel. */
  serviceUrl: (service: string, namespace: string, p: string[]) => ['service', service, '-n', namespace, '--url', ...p],
  /** The node's address; here the profile is always named (the guard asks about a context by its name). */
  ip: (profile: string) => ['ip', '-p', profile],
  addonsEnable: (addon: string, p: string[]) => ['addons', 'enable', addon, ...p],
  addonsList: (p: string[]) => ['addons', 'list', ...p],
  /** Opens a browser (or, with url, prints the address) and keeps a proxy running until Ctrl-C. */
  dashboard: (p: string[], url = false) => ['dashboard', ...(url ? ['--url'] : []), ...p],
}
