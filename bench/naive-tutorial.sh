#!/usr/bin/env bash
# The baseline for `up`: the article's commands, scripted the way a learner would script them on the lab
# (five `go build` + `docker build`, each image into containerd as the lab provider does, `kubectl apply -f`,
# `rollout status`, `expose`, `curl` through the NodePort). No checks: every command runs every time.
#
# Run by bench/run.ts with the lab's environment (KUBECONFIG, PATH with the lab's kubectl, DOCKER_HOST,
# CONTAINERD_ADDRESS). Two deviations from a learner's script, both cost-neutral, so the bench leaves the
# lab exactly as `up` left it:
#  - `--label learn-k8s-easy.source=<hash>` (from SOURCE_LABEL_<tag>): the images come out identical to
#    the ones `up` built (same ID), so the next `up` still has nothing to do;
#  - mysql:8.0 becomes the lab's MariaDB build (MYSQL_IMAGE), as `up` does on the lab: nothing can be pulled here.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${CONTAINERD_ADDRESS:?}" "${MYSQL_IMAGE:?}" "${NODE_IP:?}"
base=${BASE_IMAGE:-localhost/lab/busybox:1.35}

for tag in 1.0 2.0 3.0 4.0 5.0; do
  label_var="SOURCE_LABEL_${tag//./_}"
  (cd hellogopher && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=$tag" -o ".build/$tag/hellogopher" .)
  DOCKER_BUILDKIT=0 docker build -q -t "programmingpercy/hellogopher:$tag" --label "learn-k8s-easy.source=${!label_var:?}" \
    --build-arg "BASE=$base" -f hellogopher/Dockerfile "hellogopher/.build/$tag" >/dev/null
  docker save "programmingpercy/hellogopher:$tag" | ctr --address "$CONTAINERD_ADDRESS" -n k8s.io images import - >/dev/null
done

for f in manifests/*.yml; do sed "s|image: mysql:8.0|image: $MYSQL_IMAGE|" "$f"; echo '---'; done | kubectl apply -f - >/dev/null
kubectl rollout status deployment/hellogopher -n hellogopher >/dev/null
if ! out=$(kubectl expose deployment hellogopher -n hellogopher --type=NodePort --port=8080 2>&1); then
  grep -q AlreadyExists <<<"$out" || { echo "$out" >&2; exit 1; }
fi
port=$(kubectl get service hellogopher -n hellogopher -o jsonpath='{.spec.ports[0].nodePort}')
curl -fsS "http://$NODE_IP:$port/" | grep -q 'Hello gopher'
