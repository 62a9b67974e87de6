#!/usr/bin/env bash
# Benchmark (on demand, not a test): wall time and peak RSS of `gatehouse api import` for each OpenAPI/Swagger
# document given (default: the real-world fixtures in Tests/Fixtures/real-world, decompressed), the best of 3 runs
# each, into a fresh SQLite file.
#   scripts/bench-import.sh [FILE...]   (uses .build/release/gatehouse when built, else .build/debug/gatehouse)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release/gatehouse
[[ -x "$bin" ]] || bin=.build/debug/gatehouse
[[ -x "$bin" ]] || { echo "build first: swift build -c release --product gatehouse" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
files=("$@")
if [[ ${#files[@]} -eq 0 ]]; then
  for gz in Tests/Fixtures/real-world/*/spec.*.gz; do
    name="$(basename "$(dirname "$gz")")"
    out="$dir/$name.${gz##*/spec.}"
    out="${out%.gz}"
    gunzip -c "$gz" >"$out"
    files+=("$out")
  done
fi
printf '%-28s %9s %6s %10s %10s\n' document bytes ops "import s" "peak MB"
for f in "${files[@]}"; do
  best_s="" best_mb=""
  for run in 1 2 3; do
    db="$dir/run.sqlite"
    rm -f "$db" "$db"-*
    /usr/bin/time -f '%e %M' -o "$dir/time" "$bin" api import --db "$db" bench --from "$f" \
      --base-url http://127.0.0.1:9 --allow-private-network >"$dir/out" 2>/dev/null || { echo "$f: import failed" >&2; cat "$dir/out" >&2; break; }
    read -r s kb <"$dir/time"
    mb=$((kb / 1024))
    if [[ -z "$best_s" ]] || awk "BEGIN{exit !($s < $best_s)}"; then best_s="$s"; fi
    if [[ -z "$best_mb" ]] || ((mb < best_mb)); then best_mb="$mb"; fi
  done
  ops="$(sed -n 's/.*(\(.*\), \([0-9]*\) operations).*/\2/p' "$dir/out" | head -1)"
  printf '%-28s %9d %6s %10s %10s\n' "$(basename "$f")" "$(wc -c <"$f")" "${ops:-?}" "$best_s" "$best_mb"
done
