#!/bin/sh
# cgroup v2 nodes: enable every available controller for the root, /kubelet and /kubelet.slice (systemd has
# moved itself out of the root group by now, so its subtree_control can be written).
set -eu
enable() { sed -e 's/ / +/g' -e 's/^/+/' < "/sys/fs/cgroup/$1/cgroup.controllers" > "/sys/fs/cgroup/$1/cgroup.subtree_control"; }
enable /
for g in kubelet kubelet.slice; do mkdir -p "/sys/fs/cgroup/$g"; enable "/$g"; done
