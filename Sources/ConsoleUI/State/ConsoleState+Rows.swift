import Foundation
import GatewayEngine

/// What list screens share: the `/` filter and lookups of the sampled entities by name. Each screen's rows are in
/// its own file (``ListScreen``).
extension ConsoleState {
    /// Keeps the items whose texts contain `filter` (case-insensitive); all when the filter is empty.
    static func filtered<T>(_ items: [T], by filter: String, _ texts: (T) -> [String]) -> [T] {
        let f = filter.trimmingCharacters(in: .whitespaces)
        if f.isEmpty { return items }
        return items.filter { item in texts(item).contains { $0.range(of: f, options: .caseInsensitive) != nil } }
    }

    func api(_ name: String) -> ConsoleData.APIRow? { data.apis.first { $0.name == name } }
    func server(_ name: String) -> ConsoleData.ServerRow? { data.servers.first { $0.name == name } }
    func tool(server: String, _ name: String) -> ConsoleData.ToolRow? { self.server(server)?.tools.first { $0.name == name } }
    func policy(_ scope: String) -> ConsoleData.PolicyRow? { data.policies.first { $0.scope == scope } }
}
