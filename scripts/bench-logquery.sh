#!/usr/bin/env bash
# Benchmark (on demand, not a test): fills a request log with N records (default 1,000,000) spread over 24 h, then
# times `gatehouse logs query` and `gatehouse logs stats` on typical operator filters.
#   scripts/bench-logquery.sh [N]      (uses .build/release/gatehouse when built, else .build/debug/gatehouse)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
bin=.build/release/gatehouse
[[ -x "$bin" ]] || bin=.build/debug/gatehouse
[[ -x "$bin" ]] || { echo "build first: swift build -c release --product gatehouse" >&2; exit 2; }
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
db="$dir/bench.sqlite"
"$bin" logs query --db "$db" >/dev/null   # creates the schema
python3 - "$db" "$n" <<'PY'
import sqlite3, sys, random, datetime
db, n = sys.argv[1], int(sys.argv[2])
c = sqlite3.connect(db)
random.seed(7)
now = datetime.datetime.now(datetime.timezone.utc)
servers = ["pets", "zoo", "weather", "github", "stripe"]
tools = ["getPetById", "listPets", "createPet", "search", "charge", "refund", "forecast", None]
outcomes = ["ok"] * 90 + ["tool_error"] * 5 + ["rpc_error"] * 3 + ["rejected"] * 2
clients = ["claude-code", "cursor", "vscode", "mcp-inspector"]
principals = [None, "jwt:alice", "jwt:bob", "subscription:ci", "subscription:team"]
def rows():
    for i in range(n):
        t = (now - datetime.timedelta(seconds=random.random() * 86400)).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        tool = random.choice(tools)
        o = random.choice(outcomes)
        yield (t, random.choice(servers), "10.0.%d.%d" % (i % 7, i % 200), "tools/call" if tool else "tools/list", tool, o,
               429 if o == "rejected" else 200, 200, int(random.expovariate(1 / 40000)), 120, 900, None, random.choice(principals),
               "streamable", "2025-11-25", random.choice(clients), "1.0", -32602 if o == "rpc_error" else None, 1000, 0)
c.executemany("""INSERT INTO requestLog (time, server, client, method, tool, outcome, status, backendStatus, latencyMicros, bytesIn, bytesOut,
    error, principal, transport, protocolVersion, clientName, clientVersion, rpcCode, backendMicros, cacheHit)
    VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""", rows())
c.commit()
c.execute("ANALYZE")
c.commit()
PY
echo "records: $("$bin" logs stats --db "$db" --by server --json | python3 -c 'import json,sys; print(sum(g["calls"] for g in json.load(sys.stdin)))')  binary: $bin"
time_it() {
    local start end
    start=$(date +%s%N)
    "$bin" "$@" --db "$db" >/dev/null
    end=$(date +%s%N)
    printf '%8.1f ms  %s\n' "$(echo "($end - $start) / 1000000" | bc -l)" "$*"
}
time_it subscription list   # the baseline: start, open the store (its quick_check reads the whole file), exit
time_it logs query --limit 50 ""
time_it logs query --limit 50 "server:pets status:error"
time_it logs query --limit 50 "tool:get* latency>200ms since:1h"
time_it logs query --limit 50 "principal:alice code:-32602"
time_it logs query --limit 50 "client:cursor* -status:ok since:10m"
time_it logs stats --by tool "since:1h"
time_it logs stats --by server "server:pets since:24h"
time_it logs stats --by tool --every 5m "status:error since:1h"
