#!/usr/bin/env bash
# bench.sh - on-demand benchmark of the gateway's tools/call path (not run in CI).
#
# Starts nginx on 127.0.0.1 serving a static JSON pet at /pets/1, imports a one-operation API
# (getPet: GET /pets/{petId}) pointing at it, creates a server, starts a release-built
# `gatehouse serve`, and uses mcpload (scripts/mcpload/mcpload.sh, copied into the repository) to compare
#   - tools/call getPet through the gateway (Streamable HTTP, /bench/mcp), with
#   - the direct REST GET /pets/1 on nginx, and
#   - the same GET through a second nginx as a reverse proxy (proxy_pass, upstream keep-alive): two HTTP legs
#     and no thinking, the honest limit for a gateway,
# at concurrency 1, 8 and 32, then ping and tools/list on the gateway at the highest level. Also measures the
# time from starting `serve` to the first successful /healthz, and the serve process's RSS when idle (after
# start, and after the load).
#
# Needs: wrk, nginx, curl, python3, /usr/bin/time (Debian: apt-get install -y wrk nginx-light curl time).
# Loopback only; every process it starts is stopped on exit.
#
# Environment:
#   BENCH_DURATION=10         measured seconds per run (mcpload caps at 60)
#   BENCH_WARMUP=2            warm-up seconds per run
#   BENCH_CONCURRENCY="1 8 32" concurrency levels (the ratios use 1 and 32)
#   GATEHOUSE_BENCH_BIN=PATH  use this gatehouse binary instead of building one in release mode
#   GATEHOUSE_BENCH_SCRATCH=DIR  pass --scratch-path DIR to the release build (e.g. .build-bench, so as
#                             not to hold the lock of the shared .build while others build)
#   MCPLOAD=PATH              mcpload.sh (default: <repo>/scripts/mcpload/mcpload.sh)
#   BENCH_CONSOLE=1           run the engine inside the console (dashboard open, under a private tmux server,
#                             refresh 1 s) instead of headless `serve`, to measure what the console costs
#   BENCH_ATTACH=1            instead of gateway vs direct, compare at c=32 the headless engine alone with the same
#                             engine watched by `gatehouse console --attach` (requests pane, under a private tmux
#                             server, refresh 1 s), interleaved over BENCH_ROUNDS=3 rounds: what an attached console
#                             costs the engine (throughput, and the engine's CPU per call)
#   BENCH_POLICIES=1          instead of gateway vs direct, compare at c=32 the same server with and without a
#                             rate-limit-by-key (limit never reached) and a validate-jwt policy (RS256 token, JWKS
#                             served by the same nginx), interleaved over BENCH_ROUNDS=3 rounds; needs openssl
#   BENCH_UPSTREAM=1          instead, compare at c=32 tools/call on an upstream Streamable HTTP MCP server called
#                             directly with the same call relayed by the gateway (`gatehouse upstream add up --url
#                             …/mcp`, `gatehouse server create relay --upstream up`, called at /relay/mcp), in
#                             interleaved rounds (BENCH_ROUNDS=3), every wrk connection with its own MCP session
#                             (BENCH_SESSIONS=32: mcpload -t/-s, one session per wrk thread; fewer sessions share).
#                             The upstream (BENCH_UPSTREAM_KIND):
#                               gatehouse (default): a second release `gatehouse serve` exposing getPet on the same
#                                 nginx. A fast (Swift) upstream, so the ratio measures what the relay costs rather
#                                 than how slow the upstream is: with everything on one machine, a slow upstream hides
#                                 the gateway's cost in its own (a Python upstream makes any gateway look cheap).
#                               python: the official `mcp` SDK's MCPServer (scripts/bench_upstream.py: echo tool,
#                                 json_response, stateless) under uvicorn with BENCH_PY_WORKERS=2 workers, from the
#                                 repo's .venv (scripts/interop.sh creates it): a third-party upstream, for reference.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
DURATION="${BENCH_DURATION:-10}"
WARMUP="${BENCH_WARMUP:-2}"
read -r -a LEVELS <<<"${BENCH_CONCURRENCY:-1 8 32}"
MCPLOAD="${MCPLOAD:-$ROOT/scripts/mcpload/mcpload.sh}"

say() { echo "bench: $*" >&2; }
die() { say "$*"; exit 1; }

# --- prerequisites --------------------------------------------------------------------------------
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
command -v curl >/dev/null || missing+=(curl)
[[ -x /usr/bin/time ]] || missing+=(time)
command -v pgrep >/dev/null || missing+=(procps)
if ((${#missing[@]})); then
  say "missing: ${missing[*]}"
  echo "install with: apt-get update && apt-get install -y ${missing[*]}"
  exit 2
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
[[ -f "$MCPLOAD" ]] || die "mcpload not found at $MCPLOAD (set MCPLOAD)"

# --- cleanup --------------------------------------------------------------------------------------
WORK="$(mktemp -d -t gatehouse-bench.XXXXXX)"
NGINX_PID=""
PROXY_PID=""
SERVE_PID=""
UP_PID=""
cleanup() {
  local pid
  for pid in $SERVE_PID $UP_PID $NGINX_PID $PROXY_PID; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in $SERVE_PID $UP_PID $NGINX_PID $PROXY_PID; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
now_ns() { date +%s%N; }

# Polls URL until it answers 2xx, at most $2 seconds; dies if process $3 exits first.
wait_http() {
  local url=$1 secs=$2 pid=$3 deadline=$(($(date +%s) + $2))
  until curl -sf -o /dev/null --max-time 1 "$url"; do
    kill -0 "$pid" 2>/dev/null || return 1
    (($(date +%s) < deadline)) || return 1
  done
}

# --- gatehouse binary -----------------------------------------------------------------------------
if [[ -n "${GATEHOUSE_BENCH_BIN:-}" ]]; then
  BIN="$GATEHOUSE_BENCH_BIN"
  say "using $BIN (GATEHOUSE_BENCH_BIN)"
else
  SCRATCH=()
  [[ -n "${GATEHOUSE_BENCH_SCRATCH:-}" ]] && SCRATCH=(--scratch-path "$GATEHOUSE_BENCH_SCRATCH")
  say "building gatehouse (release)..."
  swift build -c release --product gatehouse "${SCRATCH[@]+"${SCRATCH[@]}"}" >"$WORK/build.log" 2>&1 \
    || { tail -40 "$WORK/build.log" >&2; die "release build failed"; }
  BIN="$(swift build -c release "${SCRATCH[@]+"${SCRATCH[@]}"}" --show-bin-path)/gatehouse"
fi
[[ -x "$BIN" ]] || die "no gatehouse binary at $BIN"

# --- nginx: static JSON at /pets/1 ----------------------------------------------------------------
NGX="$WORK/nginx"
mkdir -p "$NGX/html/pets" "$NGX/logs" "$NGX/tmp"
printf '{"id":1,"name":"Rex","tag":"dog"}' >"$NGX/html/pets/1"
chmod 755 "$WORK" "$NGX" "$NGX/html" "$NGX/html/pets"
chmod 644 "$NGX/html/pets/1"
USER_LINE=""
if ((EUID == 0)); then
  # As root, nginx's workers switch to an unprivileged user; Debian has no group "nobody".
  USER_LINE="user nobody $(id -gn nobody 2>/dev/null || echo nogroup);"
fi
# nginx_conf DIR SERVER_BLOCK...: one worker, its files under DIR, keep-alive for as long as wrk runs.
nginx_conf() {
  local dir=$1
  shift
  cat >"$dir/nginx.conf" <<EOF
$USER_LINE
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
$(printf '  %s\n' "$@")
}
EOF
}
# start_nginx DIR URL WHAT: starts nginx on DIR/nginx.conf, waits for URL; prints nothing, sets STARTED_PID.
start_nginx() {
  "$NGINX" -p "$1" -c "$1/nginx.conf" -e "$1/logs/error.log" >"$1/logs/stdout.log" 2>&1 &
  STARTED_PID=$!
  wait_http "$2" 10 "$STARTED_PID" || { cat "$1/logs/error.log" >&2 || true; die "$3 did not come up ($2)"; }
}
NGINX_PORT="$(free_port)"
DIRECT_URL="http://127.0.0.1:$NGINX_PORT/pets/1"
nginx_conf "$NGX" "server {" "  listen 127.0.0.1:$NGINX_PORT;" "  root $NGX/html;" \
  "  location /pets/ { default_type application/json; }" "  location = /jwks.json { default_type application/json; }" "}"
start_nginx "$NGX" "$DIRECT_URL" nginx
NGINX_PID=$STARTED_PID

# --- nginx as a reverse proxy in front of it (its own process: one worker each, like the gateway's own leg) ---
PX="$NGX/proxy"
mkdir -p "$PX/logs" "$PX/tmp"
PROXY_PORT="$(free_port)"
PROXY_URL="http://127.0.0.1:$PROXY_PORT/pets/1"
nginx_conf "$PX" "upstream backend { server 127.0.0.1:$NGINX_PORT; keepalive 64; }" "server {" \
  "  listen 127.0.0.1:$PROXY_PORT;" \
  "  location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection \"\"; }" "}"
start_nginx "$PX" "$PROXY_URL" "the nginx proxy"
PROXY_PID=$STARTED_PID

# --- gateway configuration ------------------------------------------------------------------------
DB="$WORK/gatehouse.sqlite"
UPSTREAM_MODE="${BENCH_UPSTREAM:-0}"
UPSTREAM_KIND="${BENCH_UPSTREAM_KIND:-gatehouse}"
[[ $UPSTREAM_MODE == 1 && "${BENCH_POLICIES:-0}" == 1 ]] && die "BENCH_UPSTREAM=1 and BENCH_POLICIES=1 are separate modes"
[[ "${BENCH_SESSIONS:-32}" =~ ^[1-9][0-9]*$ ]] && ((${BENCH_SESSIONS:-32} <= 32)) || die "BENCH_SESSIONS must be 1..32"
# In upstream mode the REST-backed server is the upstream's (its own database, its own `serve`), not the gateway's.
API_DB="$DB"
[[ $UPSTREAM_MODE == 1 ]] && API_DB="$WORK/upstream.sqlite"
if [[ $UPSTREAM_MODE != 1 || $UPSTREAM_KIND == gatehouse ]]; then
cat >"$WORK/bench.yaml" <<'EOF'
openapi: 3.0.3
info: { title: Bench, version: "1.0" }
paths:
  /pets/{petId}:
    get:
      operationId: getPet
      parameters:
        - { name: petId, in: path, required: true, schema: { type: integer } }
      responses:
        "200":
          description: A pet.
          content:
            application/json:
              schema:
                type: object
                properties:
                  id: { type: integer }
                  name: { type: string }
                  tag: { type: string }
EOF
"$BIN" api import bench --from "$WORK/bench.yaml" --base-url "http://127.0.0.1:$NGINX_PORT" \
  --allow-private-network --db "$API_DB" >"$WORK/import.log" 2>&1 || { cat "$WORK/import.log" >&2; die "api import failed"; }
"$BIN" server create bench --api bench --all --base-path bench --db "$API_DB" >"$WORK/create.log" 2>&1 \
  || { cat "$WORK/create.log" >&2; die "server create failed"; }
fi

# --- upstream mode: the upstream MCP server, and the gateway's relay server in front of it ----------
if [[ $UPSTREAM_MODE == 1 ]]; then
  case "$UPSTREAM_KIND" in
    gatehouse)
      UP_PORT="$(free_port)"
      # Every client of the upstream is 127.0.0.1 here (wrk and the gateway's pool), so the default caps of 64
      # connections and sessions per client address would close wrk's connections in a direct round that follows a
      # relayed one, while the gateway's pool still holds its keep-alive connections (wrk then counts read errors).
      "$BIN" serve --db "$API_DB" --listen "127.0.0.1:$UP_PORT" --log-level warning --max-sessions-per-client 1024 \
        --max-connections-per-client 1024 \
        >"$WORK/upstream.log" 2>&1 &
      UP_PID=$!
      wait_http "http://127.0.0.1:$UP_PORT/healthz" 30 "$UP_PID" \
        || { tail -40 "$WORK/upstream.log" >&2; die "upstream gatehouse serve did not answer /healthz within 30s"; }
      UP_URL="http://127.0.0.1:$UP_PORT/bench/mcp"
      UP_TOOL=getPet UP_ARGS='{"petId":1}'
      ;;
    python)
      PY="$ROOT/.venv/bin/python"
      [[ -x "$PY" ]] || die "BENCH_UPSTREAM_KIND=python needs the repo's .venv with the mcp package (run scripts/interop.sh once)"
      "$PY" "$ROOT/scripts/bench_upstream.py" --workers "${BENCH_PY_WORKERS:-2}" >"$WORK/upstream.out" 2>"$WORK/upstream.log" &
      UP_PID=$!
      for _ in $(seq 300); do grep -q '^PORT ' "$WORK/upstream.out" 2>/dev/null && break; kill -0 "$UP_PID" 2>/dev/null || break; sleep 0.1; done
      UP_PORT="$(awk '/^PORT /{print $2}' "$WORK/upstream.out")"
      [[ -n "$UP_PORT" ]] || { tail -40 "$WORK/upstream.log" >&2; die "the Python upstream did not start"; }
      UP_URL="http://127.0.0.1:$UP_PORT/mcp"
      UP_TOOL=echo UP_ARGS='{"text":"Rex"}'
      # the workers accept once their app is loaded: wait until one answers
      for _ in $(seq 300); do
        curl -sf -o /dev/null --max-time 2 -X POST "$UP_URL" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
          -H 'MCP-Protocol-Version: 2025-06-18' -d '{"jsonrpc":"2.0","id":1,"method":"ping"}' && break
        kill -0 "$UP_PID" 2>/dev/null || { tail -40 "$WORK/upstream.log" >&2; die "the Python upstream exited"; }
        sleep 0.1
      done
      ;;
    *) die "BENCH_UPSTREAM_KIND must be gatehouse or python" ;;
  esac
  # `upstream add` / `server create --upstream` when this binary has them, else the same through the config file.
  if "$BIN" upstream add --help >/dev/null 2>&1; then
    "$BIN" upstream add up --url "$UP_URL" --allow-private-network --db "$DB" >>"$WORK/create.log" 2>&1 \
      || { cat "$WORK/create.log" >&2; die "upstream add failed"; }
    "$BIN" server create relay --upstream up --db "$DB" >>"$WORK/create.log" 2>&1 \
      || { cat "$WORK/create.log" >&2; die "server create relay failed"; }
  else
    cat >"$WORK/relay.yaml" <<EOF
upstreams:
  - { name: up, url: "$UP_URL", allowPrivateNetwork: true }
servers:
  - { name: relay, upstreams: [ { upstream: up } ] }
EOF
    "$BIN" apply -f "$WORK/relay.yaml" --db "$DB" >>"$WORK/create.log" 2>&1 || { cat "$WORK/create.log" >&2; die "apply relay.yaml failed"; }
  fi
fi

# --- policies: a second server with rate-limit-by-key and validate-jwt -----------------------------
if [[ "${BENCH_POLICIES:-0}" == 1 ]]; then
  command -v openssl >/dev/null || die "BENCH_POLICIES=1 needs openssl"
  openssl genrsa -out "$WORK/jwt.pem" 2048 2>/dev/null
  TOKEN="$(python3 - "$WORK/jwt.pem" "$NGX/html/jwks.json" <<'PYEOF'
import base64, json, re, subprocess, sys, time
key, jwks = sys.argv[1:3]
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
text = subprocess.run(["openssl", "rsa", "-in", key, "-noout", "-text"], capture_output=True, text=True, check=True).stdout
mod = re.search(r"modulus:\n((?:\s+[0-9a-f:]+\n)+)", text).group(1)
n = bytes.fromhex(re.sub(r"[\s:]", "", mod)).lstrip(b"\0")
json.dump({"keys": [{"kty": "RSA", "kid": "bench", "alg": "RS256", "use": "sig", "n": b64(n), "e": "AQAB"}]}, open(jwks, "w"))
header = b64(json.dumps({"alg": "RS256", "kid": "bench", "typ": "at+jwt"}).encode())
now = int(time.time())
claims = b64(json.dumps({"iss": "https://bench.idp", "aud": "bench", "sub": "bench-user", "iat": now, "exp": now + 86400, "scope": "pets"}).encode())
sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=f"{header}.{claims}".encode(), capture_output=True, check=True).stdout
print(f"{header}.{claims}.{b64(sig)}")
PYEOF
)"
  chmod 644 "$NGX/html/jwks.json"
  "$BIN" server create benchp --api bench --all --base-path benchp --db "$DB" >>"$WORK/create.log" 2>&1 \
    || { cat "$WORK/create.log" >&2; die "server create benchp failed"; }
  cat >"$WORK/policy.yaml" <<EOF
inbound:
  - rate-limit-by-key: { calls: 10000000, renewal-period: 60, counter-key: "jwt:sub" }
  - validate-jwt: { jwks-uri: "http://127.0.0.1:$NGINX_PORT/jwks.json", audiences: [bench], issuers: ["https://bench.idp"], allow-private-network: true }
EOF
  "$BIN" policy set --scope server:benchp -f "$WORK/policy.yaml" --db "$DB" >>"$WORK/create.log" 2>&1 \
    || { cat "$WORK/create.log" >&2; die "policy set failed"; }
fi

# --- serve: startup time and idle RSS -------------------------------------------------------------
GW_PORT="$(free_port)"
t0=$(now_ns)
if [[ "${BENCH_CONSOLE:-0}" == 1 ]]; then
  command -v tmux >/dev/null || die "BENCH_CONSOLE=1 needs tmux"
  : >"$WORK/serve.log"
  tmux -S "$WORK/tmux.sock" -f /dev/null new-session -d -s bench -x 120 -y 40 \
    "exec env LANG=C.UTF-8 '$BIN' console --db '$DB' --listen 127.0.0.1:$GW_PORT --log-level warning --refresh 1"
  SERVE_PID="$(tmux -S "$WORK/tmux.sock" display -p -t bench '#{pane_pid}')"
  trap 'tmux -S "$WORK/tmux.sock" kill-server 2>/dev/null || true; cleanup' EXIT
else
  "$BIN" serve --db "$DB" --listen "127.0.0.1:$GW_PORT" --log-level warning >"$WORK/serve.log" 2>&1 &
  SERVE_PID=$!
fi
wait_http "http://127.0.0.1:$GW_PORT/healthz" 30 "$SERVE_PID" \
  || { tail -40 "$WORK/serve.log" >&2; die "gatehouse serve did not answer /healthz within 30s"; }
t1=$(now_ns)
STARTUP_MS=$(((t1 - t0) / 1000000))
rss_kib() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }
RSS_IDLE_KIB=$(rss_kib "$SERVE_PID")
GW_URL="http://127.0.0.1:$GW_PORT/bench/mcp"
[[ $UPSTREAM_MODE == 1 ]] && GW_URL="http://127.0.0.1:$GW_PORT/relay/mcp"

# --- load -----------------------------------------------------------------------------------------
RESULTS="$WORK/results"
: >"$RESULTS"
run() { # label target(direct|proxy|gateway) concurrency
  local label=$1 target=$2 c=$3 out line
  out="$WORK/$label.log"
  if [[ $target == direct ]]; then
    bash "$MCPLOAD" -m rest -c "$c" -d "$DURATION" -w "$WARMUP" -e '"Rex"' -P "nginx=$NGINX_PID" -L "$label" "$DIRECT_URL" >"$out" 2>&1 \
      || { cat "$out" >&2; die "mcpload $label failed"; }
  elif [[ $target == ping || $target == tools-list ]]; then
    local method=ping expect='"result"'
    [[ $target == tools-list ]] && method=tools/list expect='getPet'
    bash "$MCPLOAD" -M "$method" -c "$c" -d "$DURATION" -w "$WARMUP" -e "$expect" -P "gatehouse=$SERVE_PID" -L "$label" "$GW_URL" >"$out" 2>&1 \
      || { cat "$out" >&2; die "mcpload $label failed"; }
  elif [[ $target == proxy ]]; then
    bash "$MCPLOAD" -m rest -c "$c" -d "$DURATION" -w "$WARMUP" -e '"Rex"' -P "proxy=$PROXY_PID" -L "$label" "$PROXY_URL" >"$out" 2>&1 \
      || { cat "$out" >&2; die "mcpload $label failed"; }
  else
    bash "$MCPLOAD" -T getPet -a '{"petId":1}' -c "$c" -d "$DURATION" -w "$WARMUP" -e '"Rex"' -P "gatehouse=$SERVE_PID" -L "$label" "$GW_URL" >"$out" 2>&1 \
      || { cat "$out" >&2; die "mcpload $label failed"; }
  fi
  line=$(grep '^SUMMARY' "$out" | tail -1) || { cat "$out" >&2; die "no SUMMARY from mcpload $label"; }
  echo "$target $c $line" >>"$RESULTS"
  say "$label done"
}
if [[ $UPSTREAM_MODE == 1 ]]; then
  # Interleaved rounds (the order alternates, so a drift in the machine's load favours neither), same processes.
  SESSIONS="${BENCH_SESSIONS:-32}"
  PIDS="gateway=$SERVE_PID,upstream=$UP_PID"
  [[ $UPSTREAM_KIND == gatehouse ]] && PIDS+=",nginx=$NGINX_PID"
  for round in $(seq "${BENCH_ROUNDS:-3}"); do
    order="direct gateway"
    ((round % 2 == 0)) && order="gateway direct"
    for variant in $order; do
      out="$WORK/$variant-$round.log"
      url="$UP_URL"
      [[ $variant == gateway ]] && url="$GW_URL"
      bash "$MCPLOAD" -T "$UP_TOOL" -a "$UP_ARGS" -c 32 -t "$SESSIONS" -s "$SESSIONS" -d "$DURATION" -w "$WARMUP" -e '"Rex"' \
        -P "$PIDS" -L "$variant" "$url" >"$out" 2>&1 || { cat "$out" >&2; die "mcpload $variant failed"; }
      grep '^SUMMARY' "$out" | tail -1 | sed "s/^/$variant /" >>"$WORK/upstream.txt"
      say "$variant round $round done"
    done
  done
  python3 "$ROOT/scripts/bench_report_upstream.py" "$WORK/upstream.txt" "$UPSTREAM_KIND" "$SESSIONS" "$DURATION"
  exit 0
fi
if [[ "${BENCH_ATTACH:-0}" == 1 ]]; then
  command -v tmux >/dev/null || die "BENCH_ATTACH=1 needs tmux"
  # Interleaved rounds, alternating the order: the engine alone, then watched by an attached console (a new one each
  # round, on the requests pane), same engine process.
  for round in $(seq "${BENCH_ROUNDS:-3}"); do
    order="alone attached"
    ((round % 2 == 0)) && order="attached alone"
    for variant in $order; do
      if [[ $variant == attached ]]; then
        tmux -S "$WORK/attach.sock" -f /dev/null new-session -d -s watch -x 120 -y 40 \
          "exec env LANG=C.UTF-8 '$BIN' console --db '$DB' --attach --refresh 1"
        for _ in $(seq 200); do tmux -S "$WORK/attach.sock" capture-pane -p -t watch | grep -q ATTACHED && break; sleep 0.05; done
        tmux -S "$WORK/attach.sock" capture-pane -p -t watch | grep -q ATTACHED || die "the console did not attach"
        tmux -S "$WORK/attach.sock" send-keys -t watch 4
      fi
      out="$WORK/$variant-$round.log"
      bash "$MCPLOAD" -T getPet -a '{"petId":1}' -c 32 -d "$DURATION" -w "$WARMUP" -e '"Rex"' -P "gatehouse=$SERVE_PID" -L "$variant" \
        "$GW_URL" >"$out" 2>&1 || { cat "$out" >&2; die "mcpload $variant failed"; }
      if [[ $variant == attached ]]; then
        tmux -S "$WORK/attach.sock" capture-pane -p -t watch | grep -q getPet || say "warning: the console showed no getPet call"
        tmux -S "$WORK/attach.sock" kill-server 2>/dev/null || true
      fi
      grep '^SUMMARY' "$out" | tail -1 | sed "s/^/$variant /" >>"$WORK/attach.txt"
      say "$variant round $round done"
    done
  done
  python3 - "$WORK/attach.txt" <<'PYEOF'
import re, statistics, sys
runs = {"alone": [], "attached": []}
for line in open(sys.argv[1]):
    variant, summary = line.split(" ", 1)
    runs[variant].append(dict(re.findall(r'(\w+)=("[^"]*"|[^\s()]+)', summary)))
f = lambda d, k: float(str(d.get(k, 0)).strip('"') or 0)
mean = lambda v, k: statistics.mean(f(d, k) for d in runs[v])
a, b = mean("alone", "rps"), mean("attached", "rps")
print(f"tools/call at c=32, the engine alone and watched by an attached console; {len(runs['alone'])} interleaved rounds each")
for v in ("alone", "attached"):
    rounds = ", ".join(f"{f(x, 'rps'):.0f}" for x in runs[v])
    print(f"  {v:<9} {mean(v, 'rps'):>8.0f} req/s  p50 {mean(v, 'p50_ms'):.2f} ms  p99 {mean(v, 'p99_ms'):.2f} ms  (rounds: {rounds})")
print(f"  throughput attached/alone: {b / a:.3f} (the console's cost: {100 * (1 - b / a):+.1f}%)")
key = "cpu_gatehouse_ms_per_req"
if all(key in x for v in runs.values() for x in v):
    ca, cb = mean("alone", key), mean("attached", key)
    print(f"  engine CPU per call: {ca:.3f} ms alone, {cb:.3f} ms attached ({100 * (cb / ca - 1):+.1f}%; less sensitive to other load)")
errors = sum(int(f(x, "errors")) for v in runs.values() for x in v)
if errors:
    print(f"WARNING: {errors} failed requests")
PYEOF
  exit 0
fi
if [[ "${BENCH_POLICIES:-0}" == 1 ]]; then
  # Interleaved rounds: the same server shape with and without policies, same process, same run.
  for round in $(seq "${BENCH_ROUNDS:-3}"); do
    for variant in plain policies; do
      out="$WORK/$variant-$round.log"
      url="$GW_URL"
      auth=()
      if [[ $variant == policies ]]; then
        url="http://127.0.0.1:$GW_PORT/benchp/mcp"
        auth=(-H "Authorization: Bearer $TOKEN")
      fi
      bash "$MCPLOAD" -T getPet -a '{"petId":1}' -c 32 -d "$DURATION" -w "$WARMUP" -e '"Rex"' "${auth[@]+"${auth[@]}"}" \
        -P "gatehouse=$SERVE_PID" -L "$variant" "$url" >"$out" 2>&1 || { cat "$out" >&2; die "mcpload $variant failed"; }
      grep '^SUMMARY' "$out" | tail -1 | sed "s/^/$variant /" >>"$WORK/policies.txt"
      say "$variant round $round done"
    done
  done
  python3 - "$WORK/policies.txt" <<'PYEOF'
import re, statistics, sys
rps = {"plain": [], "policies": []}
cpu = {"plain": [], "policies": []}
errors = 0
for line in open(sys.argv[1]):
    variant, summary = line.split(" ", 1)
    fields = dict(re.findall(r'(\w+)=("[^"]*"|[^\s()]+)', summary))
    rps[variant].append(float(fields.get("rps", 0)))
    cpu[variant] += [float(v) for k, v in fields.items() if k.endswith("_ms_per_req")]
    errors += int(float(fields.get("errors", 0)))
p, q = statistics.mean(rps["plain"]), statistics.mean(rps["policies"])
print(f"tools/call at c=32, {len(rps['plain'])} interleaved rounds each")
print(f"  without policies:                  {p:.0f} req/s  (rounds: {', '.join(f'{x:.0f}' for x in rps['plain'])})")
print(f"  rate-limit-by-key + validate-jwt:  {q:.0f} req/s  (rounds: {', '.join(f'{x:.0f}' for x in rps['policies'])})")
print(f"  ratio with/without policies: {q / p:.3f}")
if cpu["plain"] and cpu["policies"]:
    a, b = statistics.mean(cpu["plain"]), statistics.mean(cpu["policies"])
    print(f"  gateway CPU per call: {a:.3f} ms without, {b:.3f} ms with (ratio {a / b:.3f}; less sensitive to other load on the machine)")
if errors:
    print(f"WARNING: {errors} failed requests")
PYEOF
  exit 0
fi
for c in "${LEVELS[@]}"; do
  run "direct-c$c" direct "$c"
  run "proxy-c$c" proxy "$c"
  run "gateway-c$c" gateway "$c"
done
# The other methods on the same server and its one tool, at the highest level only.
HI="${LEVELS[${#LEVELS[@]}-1]}"
run "ping-c$HI" ping "$HI"
run "tools-list-c$HI" tools-list "$HI"
RSS_AFTER_KIB=$(rss_kib "$SERVE_PID")

# --- report ---------------------------------------------------------------------------------------
python3 - "$RESULTS" "$STARTUP_MS" "$RSS_IDLE_KIB" "$RSS_AFTER_KIB" "$DURATION" <<'PYEOF'
import re, sys
path, startup_ms, rss_idle, rss_after, duration = sys.argv[1:6]
rows = []
for line in open(path):
    target, c, summary = line.rstrip("\n").split(" ", 2)
    fields = dict((k, v.strip('"')) for k, v in re.findall(r'(\w+)=("[^"]*"|[^\s()]+)', summary))
    fields["stalled"] = "STALLED" in summary
    rows.append((target, int(c), fields))

def f(d, k, default=0.0):
    try:
        return float(d.get(k, default))
    except ValueError:
        return default

print()
print(f"gatehouse tools/call vs direct REST GET and nginx as a reverse proxy ({duration}s per run, loopback)")
hdr = f"{'target':<10} {'c':>3} {'req/s':>10} {'p50 ms':>9} {'p99 ms':>9} {'errors':>7} {'cpu ms/req':>11}"
print(hdr)
print("-" * len(hdr))
by = {}
for target, c, d in rows:
    by[(target, c)] = d
    cpu = next((v for k, v in d.items() if k.endswith("_ms_per_req")), "-")
    flag = " STALLED" if d["stalled"] else ""
    print(f"{target:<10} {c:>3} {f(d,'rps'):>10.0f} {f(d,'p50_ms'):>9.3f} {f(d,'p99_ms'):>9.3f} {int(f(d,'errors')):>7} {cpu:>11}{flag}")
print()
levels = sorted({c for _, c, _ in rows})
lo, hi = (1 if 1 in levels else levels[0]), (32 if 32 in levels else levels[-1])
g, dr, px = by.get(("gateway", hi)), by.get(("direct", hi)), by.get(("proxy", hi))
if g and dr and f(dr, "rps"):
    print(f"gateway/direct throughput at c={hi}: {f(g,'rps') / f(dr,'rps'):.3f}")
if g and px and f(px, "rps"):
    print(f"gateway/proxy throughput at c={hi}:  {f(g,'rps') / f(px,'rps'):.3f} (target >= 0.5)")
g, dr = by.get(("gateway", lo)), by.get(("direct", lo))
if g and dr:
    print(f"added median latency at c={lo}:      {f(g,'p50_ms') - f(dr,'p50_ms'):.3f} ms "
          f"(p99: {f(g,'p99_ms') - f(dr,'p99_ms'):+.3f} ms)")
px = by.get(("proxy", lo))
if px and dr:
    print(f"proxy's added median at c={lo}:     {f(px,'p50_ms') - f(dr,'p50_ms'):.3f} ms")
print(f"serve start -> first /healthz:    {int(startup_ms)} ms")
print(f"serve RSS idle after start:       {int(rss_idle) / 1024:.1f} MiB")
print(f"serve RSS idle after the load:    {int(rss_after) / 1024:.1f} MiB")
errors = sum(int(f(d, "errors")) for _, _, d in rows)
if errors:
    print(f"WARNING: {errors} failed requests in total; see the per-run error counts above")
PYEOF
sed -E 's/^[a-z-]+ [0-9]+ //' "$RESULTS"
