/** tasks/lib/image-ref.ts: fullRef names docker's short image refs in full, as containerd and the kubelet do. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fullRef } from '../../../../tasks/lib/image-ref.ts'

const refCases: Array<[string, string]> = [
  ['programmingpercy/hellogopher:1.0', 'docker.io/programmingpercy/hellogopher:1.0'],
  ['programmingpercy/hellogopher', 'docker.io/programmingpercy/hellogopher:latest'],
  ['mysql:8.0', 'docker.io/library/mysql:8.0'],
  ['mysql', 'docker.io/library/mysql:latest'],
  ['docker.io/library/mysql:8.0', 'docker.io/library/mysql:8.0'],
  ['localhost/lab/mysql-compat:mariadb-10.11', 'localhost/lab/mysql-compat:mariadb-10.11'],
  ['localhost:5000/hellogopher:5.0', 'localhost:5000/hellogopher:5.0'],
  ['localhost:5000/hellogopher', 'localhost:5000/hellogopher:latest'],
  ['registry.k8s.io/pause:3.10', 'registry.k8s.io/pause:3.10'],
  ['ghcr.io/a/b', 'ghcr.io/a/b:latest'],
]
for (const [image, want] of refCases) {
  test(`fullRef(${image}) = ${want}`, () => {
    assert.is(fullRef(image), want)
  })
}

test('fullRef: a name already in full is returned unchanged (idempotent)', () => {
  for (const [, full] of refCases) assert.is(fullRef(full), full)
})

test('fullRef: a first path part without a dot, colon or "localhost" is a docker.io user, not a registry', () => {
  assert.is(fullRef('myuser/app:1'), 'docker.io/myuser/app:1')
  assert.is(fullRef('localhost.localdomain/app:1'), 'localhost.localdomain/app:1')
})

test.run()
