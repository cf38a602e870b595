/**
 * The suites test/run.ts must find. A suite that is deleted or renamed does not silently leave the count:
 * it is reported missing and counted as a failure. A new suite runs and is counted, and the summary asks for
 * it to be added here.
 */

/**
 * test/unit, every *.test.ts below it: each suite at the path of the module it tests (test/unit/<repo path without .ts>.test.ts,
 * or <repo path>.<aspect>.test.ts for a second suite of one module); layout.test.ts tests the tree itself.
 */
export const UNIT_SUITES = [
  'Makefile.test.ts',
  'bench/measure.test.ts',
  'layout.test.ts',
  'tasks/expose.minikube-tunnel.test.ts',
  'tasks/lab/engine/boltdb.test.ts',
  'tasks/lab/engine/build.test.ts',
  'tasks/lab/engine/components.test.ts',
  'tasks/lab/engine/config.test.ts',
  'tasks/lab/engine/containerd.test.ts',
  'tasks/lab/engine/coredns.test.ts',
  'tasks/lab/engine/health.test.ts',
  'tasks/lab/engine/host.test.ts',
  'tasks/lab/engine/paths.test.ts',
  'tasks/lab/engine/pki.test.ts',
  'tasks/lab/engine/procs.test.ts',
  'tasks/lab/engine/progress.test.ts',
  'tasks/lab/engine/runtime.test.ts',
  'tasks/lab/engine/steps.metrics-server.test.ts',
  'tasks/lab/engine/teardown.test.ts',
  'tasks/lab/kindnode/build.test.ts',
  'tasks/lab/status.test.ts',
  'tasks/lesson.learn-by-doing.test.ts',
  'tasks/lesson.test.ts',
  'tasks/lessons/check.live.test.ts',
  'tasks/lessons/common.test.ts',
  'tasks/lessons/database.test.ts',
  'tasks/lessons/diff.test.ts',
  'tasks/lessons/explain.test.ts',
  'tasks/lessons/index.test.ts',
  'tasks/lessons/observe.test.ts',
  'tasks/lessons/types.test.ts',
  'tasks/lib/cli.test.ts',
  'tasks/lib/command.contract.test.ts',
  'tasks/lib/command.test.ts',
  'tasks/lib/command.validate-first.test.ts',
  'tasks/lib/docker-api.test.ts',
  'tasks/lib/docker-cli.test.ts',
  'tasks/lib/flags.test.ts',
  'tasks/lib/go-cli.test.ts',
  'tasks/lib/gotools.test.ts',
  'tasks/lib/hash.test.ts',
  'tasks/lib/image-ref.test.ts',
  'tasks/lib/kind-cli.test.ts',
  'tasks/lib/kube-errors.test.ts',
  'tasks/lib/kube-rest.test.ts',
  'tasks/lib/kube-state.test.ts',
  'tasks/lib/kube-watch.test.ts',
  'tasks/lib/kube.test.ts',
  'tasks/lib/kubeconfig.test.ts',
  'tasks/lib/kubectl.test.ts',
  'tasks/lib/lifecycle.test.ts',
  'tasks/lib/manifests.test.ts',
  'tasks/lib/minikube-cli.test.ts',
  'tasks/lib/providers/index.guard.test.ts',
  'tasks/lib/providers/index.test.ts',
  'tasks/lib/providers/kind.test.ts',
  'tasks/lib/providers/lab.test.ts',
  'tasks/lib/providers/minikube.flags.test.ts',
  'tasks/lib/providers/minikube.test.ts',
  'tasks/lib/providers/remote.test.ts',
  'tasks/lib/redact.test.ts',
  'tasks/lib/run.test.ts',
  'tasks/lib/shell.test.ts',
  'tasks/lib/state.test.ts',
  'tasks/lib/task.image-flags.test.ts',
  'tasks/lib/task.redaction.test.ts',
  'tasks/lib/tools.test.ts',
  'tasks/lib/tutorial.test.ts',
  'tasks/lib/view/diagram.test.ts',
  'tasks/lib/view/model.test.ts',
  'tasks/lib/view/namespaces.test.ts',
  'tasks/lib/view/reflector.test.ts',
  'tasks/lib/view/source.test.ts',
  'tasks/lib/view/status-text.test.ts',
  'tasks/lib/view/urls.test.ts',
  'tasks/steps/apply.test.ts',
  'tasks/steps/build-images.test.ts',
  'tasks/steps/docker-env.test.ts',
  'tasks/steps/expose.test.ts',
  'tasks/steps/patch-secret.test.ts',
  'tasks/steps/preflight.test.ts',
  'tasks/steps/relabel.test.ts',
  'tasks/steps/rollout.test.ts',
  'tasks/steps/start-cluster.test.ts',
  'tasks/steps/teardown.test.ts',
  'tasks/steps/use-namespace.test.ts',
  'tasks/steps/verify-hello.test.ts',
  'tasks/up.test.ts',
  'test/conformance/run.test.ts',
  'test/support/kind.test.ts',
  'test/support/parse.test.ts',
  'test/support/suites.test.ts',
] as const

/**
 * Go modules the runner tests with `go test -json ./...` (dir from the repo root): each listed package must report
 * a result with tests in it. `mariadb`: the module's tests need the throwaway MariaDB (test/support/mariadb.sh).
 */
export const GO_MODULES: ReadonlyArray<{ dir: string; packages: readonly string[]; mariadb?: boolean }> = [
  { dir: 'hellogopher', packages: ['hellogopher'], mariadb: true },
  { dir: 'tasks/lab/runc-nocap', packages: ['learn-k8s-easy/tasks/lab/runc-nocap'] },
]

/** test/e2e/*.test.ts: the named suites and one per lesson of the tutorial (0–15). */
export const E2E_SUITES = [
  '01-lab.test.ts',
  '02-up-final-state.test.ts',
  '03-remote-registry.test.ts',
  '04-cluster-dns.test.ts',
  'lesson-00-prerequisites.test.ts',
  'lesson-01-cluster.test.ts',
  'lesson-02-image.test.ts',
  'lesson-03-deployment.test.ts',
  'lesson-04-expose.test.ts',
  'lesson-05-labels.test.ts',
  'lesson-06-readiness.test.ts',
  'lesson-07-liveness.test.ts',
  'lesson-08-debugging.test.ts',
  'lesson-09-metrics.test.ts',
  'lesson-10-namespace.test.ts',
  'lesson-11-service-env.test.ts',
  'lesson-12-configmap.test.ts',
  'lesson-13-secret.test.ts',
  'lesson-14-resources.test.ts',
  'lesson-15-teardown.test.ts',
  'learn-by-doing.test.ts',
  'learn-reset.test.ts',
  'status-diagram.test.ts',
  'zz-lab-restart.test.ts',
] as const

export const PROVIDERS = ['lab', 'kind', 'minikube'] as const
export type E2EProvider = (typeof PROVIDERS)[number]

const LAB_ONLY: Record<string, string> = {
  '01-lab.test.ts': 'tests the lab cluster itself',
  'zz-lab-restart.test.ts': 'restarts the lab cluster',
  '03-remote-registry.test.ts': "needs the lab's docker to run a registry",
  'learn-reset.test.ts': "replays lessons 0–14 with the same steps the lesson suites run on every cluster; on kind too it would add ≈ 8 min to CI's 90-minute budget",
}

/**
 * Report scripts run on the lab after its e2e suites (they print a table and end with `N passed, N failed`; each
 * case counts once): the fault suite (issue 11: kills, faults, bad inputs) and the CI slice of upstream Conformance
 * (issue 16). They need the lab's own processes and dockerd, so on other providers they are excepted, with the reason.
 */
export const LAB_REPORTS: ReadonlyArray<{ name: string; args: readonly string[]; why: string }> = [
  { name: 'faults', args: ['test/faults/run.ts'], why: 'kills and restarts the lab cluster\'s own processes' },
  { name: 'conformance', args: ['test/conformance/run.ts', '--slice', 'ci'], why: "runs e2e.test with images built into the lab's containerd" },
]

/** e2e suites a provider does not run, with the reason printed in the summary (they are not dropped silently). */
export function exceptedOn(provider: E2EProvider): Record<string, string> {
  if (provider === 'lab') return {}
  return Object.fromEntries(Object.entries(LAB_ONLY).map(([f, why]) => [f, `lab only: ${why}`]))
}
