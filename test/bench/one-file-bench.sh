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
# /var/lib, not /tmp, for the reason build-bench.sh gives
default_dir=/var/lib/strata-bench-onefile
[ -w /var/lib ] || default_dir=/tmp/strata-bench-onefile
dir=${BENCH_DIR:-$default_dir}
mkdir -p "$dir"
ctx=$here/one-file-run
bbtar=$repo/test-artifacts/busybox-rootfs.tar
[ -f "$bbtar" ] || { mkdir -p "$(dirname "$bbtar")"; bash "$repo/scripts/make-busybox-rootfs.sh" "$bbtar"; }
strata=("$repo/dist/strata" --root "$dir/store")
[ -d "$dir/store" ] || "${strata[@]}" import "$bbtar" busybox:latest >/dev/null
# the step time each tool prints for the RUN that changes the file ("#N [3/3] RUN echo ..." ... "#N DONE 0.4s")
step_time() { awk '/^#[0-9]+ \[.*RUN echo/ {id=$1} id != "" && $1 == id && $2 == "DONE" {sub(/s.*/, "", $3); print $3; exit}'; }
now() { date +%s.%N; }
# timed CMD... prints "STEP WALL": the step's own time as the tool reports it, and the whole command's
timed() { local t0 t1 step; t0=$(now); step=$("$@" 2>&1 | step_time); t1=$(now); awk -v s="$step" -v a="$t1" -v b="$t0" 'BEGIN{printf "%s %.2f", s, a-b}'; }
"${strata[@]}" build --progress plain --build-arg BUST=warm -t onefile "$ctx" >/dev/null 2>&1
have_docker=0
if [ -x "$docker" ] && "$docker" info >/dev/null 2>&1; then have_docker=1; DOCKER_BUILDKIT=1 "$docker" build --network host --progress plain --build-arg BUST=warm -t strata-bench/onefile "$ctx" >/dev/null 2>&1; fi
s_step=() s_wall=() d_step=() d_wall=()
for i in $(seq 1 "$rounds"); do
  bust=$(date +%s%N)
  read -r a b <<<"$(timed "${strata[@]}" build --progress plain --build-arg BUST="$bust" -t onefile "$ctx")"; s_step+=("$a"); s_wall+=("$b")
  if [ $have_docker = 1 ]; then
    read -r a b <<<"$(DOCKER_BUILDKIT=1 timed "$docker" build --network host --progress plain --build-arg BUST="$bust" -t strata-bench/onefile "$ctx")"; d_step+=("$a"); d_wall+=("$b")
  fi
done
median() { [ $# -gt 0 ] || { echo -; return; }; printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { if [ "$2" = - ]; then echo -; else awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; fi; }
echo "one RUN changing one file on a 50,000-file base, median of $rounds (step: as each tool reports it, 0.1 s resolution; whole: the build command, start-up included)"
printf '  %-6s %10s %10s %8s\n' '' strata BuildKit ratio
printf '  %-6s %10s %10s %8s\n' step "$(median "${s_step[@]}")" "$(median "${d_step[@]}")" "$(ratio "$(median "${s_step[@]}")" "$(median "${d_step[@]}")")"
printf '  %-6s %10s %10s %8s\n' whole "$(median "${s_wall[@]}")" "$(median "${d_wall[@]}")" "$(ratio "$(median "${s_wall[@]}")" "$(median "${d_wall[@]}")")"
exit 0
