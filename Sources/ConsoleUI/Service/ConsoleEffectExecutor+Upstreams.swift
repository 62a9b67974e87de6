import Foundation
import GatewayEngine
import Logging
import Store

/// Upstream actions: discovering an upstream's tools now (``UpstreamAdmin/discover(_:)``) and approving held-back
/// tool definitions. An approval pins what the console showed: when a tool's current definition changed since, nothing
/// is approved.
extension ConsoleEffectExecutor {
    func performUpstream(_ effect: ConsoleEffect) async throws -> String {
        // Whatever happens, the sampler re-reads the upstreams (a discovery may change what the revision does not count).
        defer { UpstreamActionCounter.shared.bump(for: store) }
        switch effect {
        case .discoverUpstream(let name):
            let report = try await UpstreamAdmin(store: store, logger: upstreamLogger).discover(name)
            return Self.describe(report)
        case .approveUpstreamTools(let upstream, let tools):
            return try approve(upstream: upstream, shown: tools)
        default:
            return ""
        }
    }

    /// Approves the shown definitions of held-back tools, after checking they are still the current ones.
    func approve(upstream: String, shown: [String: String]) throws -> String {
        let recorded = Dictionary(try store.upstreamTools(upstream: upstream).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let names = shown.keys.sorted()
        if let missing = names.first(where: { recorded[$0] == nil }) {
            throw StoreError(.notFound, "upstream '\(upstream)' has no recorded tool '\(missing)'")
        }
        let moved = names.filter { recorded[$0]?.currentFingerprint != shown[$0] }
        if !moved.isEmpty {
            throw StoreError(
                .conflict,
                "\(Self.list(moved)) of upstream '\(upstream)' changed again since it was shown; nothing approved: review the new definition first")
        }
        let waiting = names.filter { recorded[$0]?.status == .pending }
        let settled = names.filter { recorded[$0]?.status != .pending }
        guard !waiting.isEmpty else { return "nothing to approve: \(Self.list(settled)) of upstream '\(upstream)' no longer waits for approval" }
        let approved = try store.approveUpstreamTools(upstream: upstream, tools: waiting)
        let others = recorded.values.filter { $0.status == .pending && shown[$0.name] == nil }.count
        var message = "approved \(approved.count == 1 ? "tool" : "\(approved.count) tools") \(Self.list(approved)) of upstream '\(upstream)'"
        if others > 0 { message += "; \(others) more pending since the screen was drawn" }
        return message
    }

    /// One line: who the upstream is, how many tools it lists, what changed and what waits for approval.
    static func describe(_ report: UpstreamDiscoveryReport) -> String {
        var text = "upstream '\(report.upstream)'"
        if let name = report.serverName { text += " (\(name)\(report.serverVersion.map { " " + $0 } ?? ""))" }
        let listed = report.tools.filter { $0.status != .removed }.count
        text += ": \(listed) \(listed == 1 ? "tool" : "tools") listed"
        var kinds: [String] = []
        var changes: [String: [String]] = [:]
        for change in report.changes {
            let kind = change.kind.rawValue
            if changes[kind] == nil { kinds.append(kind) }
            changes[kind, default: []].append(change.tool)
        }
        text += kinds.isEmpty ? ", no change" : ", " + kinds.map { "\($0) \(list(changes[$0] ?? []))" }.joined(separator: ", ")
        let pending = report.tools.filter { $0.status == .pending }.map(\.name)
        if !pending.isEmpty { text += "; waiting for approval: \(list(pending))" }
        return text
    }

    /// `'a', 'b', 'c' and 2 more`.
    static func list(_ names: [String], limit: Int = 3) -> String {
        names.prefix(limit).map { "'\($0)'" }.joined(separator: ", ") + (names.count > limit ? " and \(names.count - limit) more" : "")
    }

    /// The engine's upstream logs go to the log pane (``report``), never to the terminal curses owns.
    var upstreamLogger: Logger {
        let report = self.report
        return Logger(label: "gatehouse.console.upstream") { _ in ReportLogHandler(report: report) }
    }
}

/// A `LogHandler` that hands messages to the executor's report (the log pane).
struct ReportLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    let report: @Sendable (EngineEvent.Level, String) -> Void

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { _, new in new } }
        var text = "\(event.message)"
        if !all.isEmpty { text += " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
        switch event.level {
        case .trace, .debug: return
        case .info: report(.info, text)
        case .notice, .warning: report(.warning, text)
        case .error, .critical: report(.error, text)
        }
    }
}
