/** Image references as containerd and the kubelet name them: docker's short refs in full. Pure. */

/** containerd names docker's short refs in full: `mysql:8.0` → `docker.io/library/mysql:8.0`. */
export function fullRef(image: string): string {
  let name = image
  let tag = 'latest'
  const colon = image.lastIndexOf(':')
  if (colon > image.lastIndexOf('/')) {
    name = image.slice(0, colon)
    tag = image.slice(colon + 1)
  }
  const first = name.split('/')[0]!
  const hasRegistry = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')
  if (!hasRegistry) name = `docker.io/${name.includes('/') ? name : `library/${name}`}`
  return `${name}:${tag}`
}
