/** tasks/lab/engine/config.ts: the admin kubeconfig is the learner's too — a namespace they set (lesson 10) is not drift. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { adminKubeconfig, kubeconfigMeaning, learnerNamespace } from '../../../../../tasks/lab/engine/config.ts'

const IP = '10.250.0.1'

/** What `kubectl config set-context --current --namespace=hellogopher` leaves: kubectl's own layout, keys sorted. */
const rewrittenByKubectl = (ns: string, server = `https://${IP}:6443`) => `apiVersion: v1
clusters:
- cluster:
    certificate-authority: /var/lib/learn-k8s-easy/lab/pki/ca.crt
    server: ${server}
  name: learn-k8s-lab
contexts:
- context:
    cluster: learn-k8s-lab
    namespace: ${ns}
    user: admin
  name: learn-k8s-lab
current-context: learn-k8s-lab
kind: Config
preferences: {}
users:
- name: admin
  user:
    client-certificate: /var/lib/learn-k8s-easy/lab/pki/admin.crt
    client-key: /var/lib/learn-k8s-easy/lab/pki/admin.key
`

test('kubeconfigMeaning: kubectl\'s layout plus a context namespace means the same as the generated file', () => {
  assert.is(kubeconfigMeaning(rewrittenByKubectl('hellogopher')), kubeconfigMeaning(adminKubeconfig(IP)))
})

test('kubeconfigMeaning: another server, user or cert is a real difference', () => {
  assert.is.not(kubeconfigMeaning(rewrittenByKubectl('hellogopher', 'https://10.9.9.9:6443')), kubeconfigMeaning(adminKubeconfig(IP)))
  assert.is.not(kubeconfigMeaning(adminKubeconfig(IP).replace('admin.crt', 'other.crt')), kubeconfigMeaning(adminKubeconfig(IP)))
})

test('kubeconfigMeaning: text that is not YAML is compared as text', () => {
  assert.is(kubeconfigMeaning('a: [1\n'), 'a: [1\n')
})

test('learnerNamespace: the current context\'s namespace, else undefined', () => {
  assert.is(learnerNamespace(rewrittenByKubectl('hellogopher')), 'hellogopher')
  assert.is(learnerNamespace(adminKubeconfig(IP)), undefined)
  assert.is(learnerNamespace(adminKubeconfig(IP, 'team-a')), 'team-a')
  assert.is(learnerNamespace('a: [1\n'), undefined)
})

test.run()
