import ConsoleUI
import Foundation
import GatewayEngine
import Store

/// How `gatehouse registry` prints entries. Text from external registries and probed servers is untrusted: it goes
/// through `SafeText` (control, bidi and zero-width characters escaped).
enum RegistryOutput {
    static func clean(_ s: String) -> String { SafeText.escape(s, ascii: false) }

    static func ago(_ date: Date?, now: Date = Date()) -> String {
        guard let date else { return "never" }
        let s = Int(now.timeIntervalSince(date))
        switch s {
        case ..<60: return "\(max(0, s)) s ago"
        case ..<3600: return "\(s / 60) min ago"
        case ..<86_400: return "\(s / 3600) h ago"
        default: return "\(s / 86_400) d ago"
        }
    }

    static func show(_ r: RegistryListing.Row) {
        let kind = r.kind == .gateway ? "gateway server '\(r.server ?? "?")'" : "external"
        print("\(clean(r.name)) \(clean(r.version))  (\(kind)\(r.isLatest ? ", latest" : ""))")
        func line(_ label: String, _ value: String) { print("  " + label.padding(toLength: 12, withPad: " ", startingAt: 0) + value) }
        line("Status", "\(r.status.rawValue) · \(r.lifecycle.rawValue) · \(r.approval)" + (r.statusMessage.map { " · \(clean($0))" } ?? ""))
        if let t = r.title { line("Title", clean(t)) }
        line("Description", clean(r.description))
        if let o = r.owner { line("Owner", clean(o)) }
        if !r.tags.isEmpty { line("Tags", r.tags.map(clean).joined(separator: ", ")) }
        let document = (try? JSONParser(maxDepth: 64).parse(r.document))?.objectValue ?? [:]
        for (i, remote) in (document["remotes"]?.arrayValue ?? []).enumerated() {
            line(i == 0 ? "Remotes" : "", "\(remote["type"]?.stringValue ?? "?") \(clean(remote["url"]?.stringValue ?? "?"))")
            for h in remote["headers"]?.arrayValue ?? [] {
                let flags = [h["isRequired"]?.boolValue == true ? "required" : nil, h["isSecret"]?.boolValue == true ? "secret" : nil].compactMap {
                    $0
                }
                line("", "  header \(clean(h["name"]?.stringValue ?? "?"))" + (flags.isEmpty ? "" : " (\(flags.joined(separator: ", ")))"))
            }
        }
        for (i, p) in r.packages.enumerated() { line(i == 0 ? "Packages" : "", clean(p) + " (run by clients, never by the registry)") }
        if let n = r.toolCount {
            let names = r.toolNames.prefix(12).map(clean).joined(separator: ", ") + (r.toolNames.count > 12 ? ", …" : "")
            line("Tools", "\(n)" + (names.isEmpty ? "" : ": \(names)"))
        }
        var health = "\(r.health.rawValue) · checked \(ago(r.checkedAt))"
        if let l = r.latencyMs { health += String(format: " · %.0f ms", l) }
        if let d = r.healthDetail { health += " · \(clean(d))" }
        line("Health", r.kind == .gateway && r.upstreams.isEmpty ? "served by this gateway" : health)
        for u in r.upstreams {
            line("", "upstream \(clean(u.upstream)): \((u.health?.state ?? .unknown).rawValue)" + (u.health?.detail.map { " · \(clean($0))" } ?? ""))
        }
        if let f = r.live {
            var traffic = "\(f.requests) requests in the last hour · \(String(format: "%.1f", f.errorRate * 100))% errors"
            if let p = f.p95 { traffic += String(format: " · p95 %.1f ms", p.milliseconds) }
            traffic += " · last success \(ago(f.lastSuccessAt))"
            line("Traffic", traffic)
        }
        if !r.history.isEmpty {
            line("History", "")
            for h in r.history.prefix(20) {
                let latency = h.latencyMs.map { String(format: "%.0f ms", $0) } ?? "-"
                print(
                    "    \(h.time.formatted(.iso8601))  \(h.state.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)) \(latency)"
                        + (h.toolCount.map { "  \($0) tools" } ?? "") + (h.change.map { "  \(clean($0))" } ?? ""))
            }
        }
        print("server.json:")
        printLines(r.document)
        if let p = r.pendingDocument {
            print("imported server.json waiting for approval (gatehouse registry approve \(clean(r.name))):")
            printLines(p)
        }
    }

    /// Prints text line by line, each made safe.
    static func printLines(_ text: String) {
        for l in text.split(separator: "\n", omittingEmptySubsequences: false) { print(clean(String(l))) }
    }
}
