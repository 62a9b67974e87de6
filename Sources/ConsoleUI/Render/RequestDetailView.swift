import GatewayEngine

/// One request: JSON-RPC method, tool, status, backend status, the principal and every policy decision, the latency
/// breakdown and the (masked) arguments.
enum RequestDetailView {
    static func lines(_ s: ConsoleState, _ r: RequestRecord) -> [StyledLine] {
        let t = Theme(s)
        let ascii = s.asciiOnly
        let safe = { SafeText.escape($0, ascii: ascii) }
        let dot = ascii ? "|" : "·"
        let field = { (label: String, value: String, style: Style) in TextPageView.field(label, value, width: s.width, theme: t, style: style) }
        var lines: [StyledLine] = [StyledLine([(" REQUEST ", t.sectionTitle), ("#\(r.sequence)", Style(bold: true))])]
        lines += field("Time", Format.timestamp(r.time, s.timeZone), .plain)
        lines += field("Server", "\(safe(r.server))   \(dot)   client \(safe(r.client))   \(dot)   \(safe(r.transport))", .plain)
        lines += field("JSON-RPC method", safe(r.method), Style(bold: true))
        lines += field("Tool", r.tool.map(safe) ?? "-", Style(bold: true))
        let outcome = RequestsView.outcome(r.outcome, RenderContext(s))
        lines.append(
            StyledLine([
                ("  " + TextFit.pad("Outcome", to: 17), t.label), (outcome.text, outcome.style ?? .plain),
                ("   HTTP \(r.status)   \(dot)   backend \(r.backendStatus.map(String.init) ?? "not called")", .plain),
            ]))
        if let error = r.error { lines += field("Error", safe(error), t.crit) }
        if let principal = r.principal { lines += field("Principal", safe(principal), .plain) }

        if !r.decisions.isEmpty {
            lines += [.blank, TextPageView.section("POLICIES", t)]
            for d in r.decisions {
                let refused = d.contains(" refused")
                lines.append(StyledLine([("   " + safe(d), refused ? t.crit : .plain)]))
            }
        }

        lines += [.blank, TextPageView.section("LATENCY", t)]
        let total = r.latency.milliseconds
        let backend = r.backendLatency?.milliseconds
        let barWidth = max(10, min(40, s.width - 60))
        func bar(_ ms: Double) -> String {
            let filled = total > 0 ? Int((ms / total * Double(barWidth)).rounded()) : 0
            let n = min(barWidth, max(0, filled))
            return String(repeating: ascii ? "#" : "█", count: n) + String(repeating: ascii ? "." : "░", count: barWidth - n)
        }
        func latencyLine(_ label: String, _ d: Duration?, _ ms: Double?, _ note: String) -> StyledLine {
            StyledLine([
                ("  " + TextFit.pad(label, to: 17), t.label),
                (TextFit.pad(Format.latency(d, ascii: ascii), to: 10, right: true) + "  ", Style(bold: true)),
                (ms.map(bar) ?? "", t.sparkline), ("  " + note, t.dim),
            ])
        }
        lines.append(latencyLine("Total", r.latency, total, "in the gateway, end to end"))
        if let b = r.backendLatency, let backend {
            lines.append(latencyLine("Backend", b, backend, "waiting for the backend"))
            let overhead = max(0, total - backend)
            lines.append(latencyLine("Gateway", .microseconds(Int64(overhead * 1000)), overhead, "total minus backend"))
        } else {
            lines.append(StyledLine([("  " + TextFit.pad("Backend", to: 17), t.label), ("not called", t.dim)]))
        }
        lines += field("Bytes", "\(Format.bytes(r.bytesIn)) in   \(dot)   \(Format.bytes(r.bytesOut)) out", .plain)

        lines += [.blank, StyledLine([(" ARGUMENTS", t.sectionTitle), ("  secret-looking values are masked", t.dim)])]
        if let args = r.arguments {
            lines += JSONPretty.lines(args).map { StyledLine("   " + safe($0)) }
        } else {
            lines.append(StyledLine(r.method == "tools/call" ? "   (not kept: the stored request log holds no arguments)" : "   (none)", t.dim))
        }
        return lines
    }
}
