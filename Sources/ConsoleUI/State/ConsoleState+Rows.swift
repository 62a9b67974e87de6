import Foundation
import GatewayEngine

/// The rows each screen lists, after its `/` filter. Shared by the reducer (cursor, Enter) and the renderers.
extension ConsoleState {
    /// Keeps the items whose texts contain `filter` (case-insensitive); all when the filter is empty.
    static func filtered<T>(_ items: [T], by filter: String, _ texts: (T) -> [String]) -> [T] {
        let f = filter.trimmingCharacters(in: .whitespaces)
        if f.isEmpty { return items }
        return items.filter { item in texts(item).contains { $0.range(of: f, options: .caseInsensitive) != nil } }
    }

    func apiRows(_ p: Page) -> [ConsoleData.APIRow] {
        Self.filtered(data.apis, by: p.filter) { [$0.name, $0.title, $0.version, $0.format, $0.source] }
    }

    func operationRows(api: String, _ p: Page) -> [ConsoleData.OperationRow] {
        Self.filtered(self.api(api)?.operations ?? [], by: p.filter) { [$0.id, $0.method, $0.path, $0.summary, $0.toolName] }
    }

    func serverRows(_ p: Page) -> [ConsoleData.ServerRow] {
        Self.filtered(data.servers, by: p.filter) { [$0.name, $0.basePath, $0.description, $0.apiName ?? "", $0.enabled ? "enabled" : "disabled"] }
    }

    func toolRows(server: String, _ p: Page) -> [ConsoleData.ToolRow] {
        Self.filtered(self.server(server)?.tools ?? [], by: p.filter) {
            [$0.name, $0.description, $0.method, $0.path, $0.enabled ? "enabled" : "disabled"]
        }
    }

    /// The request rows: frozen while paused, else live.
    var liveRecords: [RequestRecord] { pausedRecords ?? data.records }

    func recordRows(_ p: Page) -> [RequestRecord] {
        Self.filtered(liveRecords, by: p.filter) { r in
            [r.server, r.client, r.method, r.tool ?? "", r.outcome.rawValue, String(r.status), r.transport, r.error ?? ""]
        }
    }

    func eventRows(_ p: Page) -> [EngineEvent] {
        Self.filtered(data.events, by: p.filter) { [$0.level.rawValue, $0.message] }
    }

    /// Policy documents: global first, then servers, then tools.
    func policyRows(_ p: Page) -> [ConsoleData.PolicyRow] {
        Self.filtered(data.policies.sorted(by: ConsoleData.PolicyRow.displayOrder), by: p.filter) { [$0.scope] + $0.inbound + $0.outbound }
    }

    func subscriptionRows(_ p: Page) -> [ConsoleData.SubscriptionRow] {
        Self.filtered(data.subscriptions, by: p.filter) { [$0.name, $0.active ? "active" : "suspended"] + ($0.servers ?? ["all"]) }
    }

    func api(_ name: String) -> ConsoleData.APIRow? { data.apis.first { $0.name == name } }
    func server(_ name: String) -> ConsoleData.ServerRow? { data.servers.first { $0.name == name } }
    func tool(server: String, _ name: String) -> ConsoleData.ToolRow? { self.server(server)?.tools.first { $0.name == name } }
    func policy(_ scope: String) -> ConsoleData.PolicyRow? { data.policies.first { $0.scope == scope } }

    /// Identities of a list page's rows (to keep the cursor on the same row when data changes); nil for text pages.
    func rowKeys(_ p: Page) -> [String]? {
        switch p.route {
        case .top(.dashboard): data.servers.map(\.name)
        case .top(.apis): apiRows(p).map(\.name)
        case .api(let name): operationRows(api: name, p).map(\.id)
        case .top(.servers): serverRows(p).map(\.name)
        case .server(let name): toolRows(server: name, p).map(\.name)
        case .top(.requests): recordRows(p).map { String($0.sequence) }
        case .top(.logs): eventRows(p).map { "\($0.time.timeIntervalSince1970)|\($0.message)" }
        case .top(.policies): policyRows(p).map(\.scope)
        case .top(.subscriptions): subscriptionRows(p).map(\.name)
        case .top(.credentials): credentialRows(p).map(\.id)
        case .top(.upstreams): upstreamRows(p).map(\.name)
        case .upstream(let name): upstreamToolRows(upstream: name, p).map(\.name)
        case .registry: registryRows(p).map { "\($0.name)@\($0.version)" }
        case .tool, .request, .help, .policy, .credential, .upstreamTool, .registryEntry: nil
        }
    }

    /// How many rows (list pages) or lines (text pages) a page has.
    func rowCount(_ p: Page) -> Int {
        if p.route == .top(.dashboard), kind(of: p.route) == .welcome { return 2 }
        if let keys = rowKeys(p) { return keys.count }
        switch p.route {
        case .tool(let server, let tool): return ToolDetailView.lines(self, server: server, tool: tool).count
        case .request(let record): return RequestDetailView.lines(self, record).count
        case .policy(let scope): return PolicyDetailView.lines(self, scope: scope).count
        case .credential(let ref): return CredentialDetailView.lines(self, ref).count
        case .upstreamTool(let upstream, let tool): return UpstreamToolDetailView.lines(self, upstream: upstream, tool: tool).count
        case .help: return HelpView.lineCount(self)
        case .registryEntry(let name, let version): return RegistryView.lines(self, name: name, version: version).count
        default: return 0
        }
    }
}
