"""bench.sh BENCH_UPSTREAM=1: the report of interleaved direct/relayed rounds (SUMMARY lines of mcpload)."""
import re, statistics, sys
path, kind, sessions, duration = sys.argv[1:5]
runs = {"direct": [], "gateway": []}
for line in open(path):
    variant, summary = line.split(" ", 1)
    fields = dict((k, v.strip('"')) for k, v in re.findall(r'(\w+)=("[^"]*"|[^\s()]+)', summary))
    fields["stalled"] = "STALLED" in summary
    runs[variant].append(fields)
f = lambda d, k: float(d.get(k, 0) or 0)
mean = lambda v, k: statistics.mean(f(d, k) for d in runs[v])
d, g = mean("direct", "rps"), mean("gateway", "rps")
print()
print(f"tools/call at c=32 on a Streamable HTTP upstream ({kind}), called directly and through the gateway; "
      f"{len(runs['direct'])} interleaved rounds of {duration}s, {sessions} MCP sessions per run")
for v, label in (("direct", "upstream directly"), ("gateway", "through the gateway")):
    rounds = ", ".join(f"{f(x, 'rps'):.0f}" for x in runs[v])
    print(f"  {label:<20} {mean(v, 'rps'):>8.0f} req/s  p50 {mean(v, 'p50_ms'):.2f} ms  p99 {mean(v, 'p99_ms'):.2f} ms  (rounds: {rounds})")
ratios = ", ".join(f"{f(b, 'rps') / f(a, 'rps'):.3f}" for a, b in zip(runs["direct"], runs["gateway"]) if f(a, "rps"))
print(f"  ratio gateway/direct: {g / d:.3f}  (per round: {ratios})")
for name in ("gateway", "upstream", "nginx"):
    key = f"cpu_{name}_ms_per_req"
    if all(key in x for x in runs["gateway"]):
        direct = f"; {mean('direct', key):.3f} ms when called directly" if name != "gateway" else ""
        print(f"  {name} CPU per call through the gateway: {mean('gateway', key):.3f} ms{direct}")
wrk = lambda v: 1000 * mean(v, "wrk_cpu_s") / max(1.0, mean(v, "requests"))
print(f"  wrk CPU per call: {wrk('direct'):.3f} ms direct, {wrk('gateway'):.3f} ms through the gateway; "
      f"machine busy: {mean('direct', 'machine_busy_pct'):.0f}% direct, {mean('gateway', 'machine_busy_pct'):.0f}% through the gateway")
# Everything runs on this machine, so with the CPUs saturated the rate is about cores / CPU per call: the ratio of
# the CPU per call (all measured processes and wrk) predicts the throughput ratio without the noise of other load.
cpu = lambda v: sum(mean(v, k) for k in runs[v][0] if k.startswith("cpu_") and k.endswith("_ms_per_req")) + wrk(v)
if cpu("gateway"):
    print(f"  CPU per call, all processes and wrk: {cpu('direct'):.3f} ms direct, {cpu('gateway'):.3f} ms through the gateway: "
          f"ratio {cpu('direct') / cpu('gateway'):.3f} (less sensitive to other load on the machine)")
errors = {v: sum(int(f(x, "errors")) for x in runs[v]) for v in runs}
if any(errors.values()):
    print(f"WARNING: failed requests: {errors['direct']} calling the upstream directly, {errors['gateway']} through the gateway")
if any(x["stalled"] for v in runs.values() for x in v):
    print("WARNING: some runs stalled (effective concurrency far below 32)")
