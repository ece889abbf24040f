#!/usr/bin/env bash
# one-file-bench.sh: the step time of a RUN that changes one file on a 50,000-file base (one-file-run/),
# for strata (overlay snapshotter, chroot runner) and `docker build` (BuildKit) when a daemon answers,
# in the same run. The base step is cached for both; only the last RUN runs, ROUNDS times each.
# Goal (issue 5): strata's step within 1.2x of BuildKit's. Prints the step's own time as each tool reports it.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
if [ "$(id -u)" != 0 ]; then echo "one-file-bench: skipped, needs root"; exit 0; fi
rounds=${ROUNDS:-5}
docker=${DOCKER:-/usr/bin/docker}
dir=${BENCH_DIR:-/tmp/strata-bench-onefile}
mkdir -p "$dir"
ctx=$here/one-file-run
bbtar=$repo/test-artifacts/busybox-rootfs.tar
[ -f "$bbtar" ] || { mkdir -p "$(dirname "$bbtar")"; bash "$repo/scripts/make-busybox-rootfs.sh" "$bbtar"; }
strata=(node "$repo/dist/strata.mjs" --root "$dir/store")
[ -d "$dir/store" ] || "${strata[@]}" import "$bbtar" busybox:latest >/dev/null
# the step time each tool prints for its last step: "#N DONE 0.4s"
step_time() { grep -E '^#[0-9]+ DONE [0-9.]+s' | tail -1 | sed -E 's/.* DONE ([0-9.]+)s.*/\1/'; }
"${strata[@]}" build --progress plain --build-arg BUST=warm -t onefile "$ctx" >/dev/null 2>&1
have_docker=0
if [ -x "$docker" ] && "$docker" info >/dev/null 2>&1; then have_docker=1; DOCKER_BUILDKIT=1 "$docker" build --progress plain --build-arg BUST=warm -t strata-bench/onefile "$ctx" >/dev/null 2>&1; fi
s_all=() d_all=()
for i in $(seq 1 "$rounds"); do
  bust=$(date +%s%N)
  s_all+=("$("${strata[@]}" build --progress plain --build-arg BUST="$bust" -t onefile "$ctx" 2>&1 | step_time)")
  [ $have_docker = 1 ] && d_all+=("$(DOCKER_BUILDKIT=1 "$docker" build --progress plain --build-arg BUST="$bust" -t strata-bench/onefile "$ctx" 2>&1 | step_time)")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR ? a[int((NR+1)/2)] : "-")}'; }
s_med=$(median "${s_all[@]}")
d_med=$([ $have_docker = 1 ] && median "${d_all[@]}" || echo -)
printf 'one RUN changing one file on 50,000 files, step time (median of %s): strata %ss, BuildKit %ss' "$rounds" "$s_med" "$d_med"
if [ "$d_med" != - ]; then awk -v a="$s_med" -v b="$d_med" 'BEGIN{printf ", ratio %.2f\n", a/b}'; else echo; fi
echo "  strata: ${s_all[*]}"
[ $have_docker = 1 ] && echo "  docker: ${d_all[*]}"
exit 0
