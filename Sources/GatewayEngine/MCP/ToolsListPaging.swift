import Foundation

/// Pages of `tools/list` bounded by count and by size: a page holds as many tools as fit in
/// ``GatewayConfiguration/toolsPageMaxBytes`` of JSON (and at most ``GatewayConfiguration/toolsPageSize``), so no
/// message — a JSON body or one SSE event, on any transport — exceeds the 1 MiB the official SDKs accept, and a
/// client that never asks for the next page gets every tool whenever the whole list fits.
enum ToolsListPaging {
    /// The tools of one page: `offset..<end`, and whether more follow.
    static func page(_ entries: [JSONValue], offset: Int, maxCount: Int, maxBytes: Int) -> (tools: [JSONValue], next: Int?) {
        var tools: [JSONValue] = []
        var bytes = 2 // the brackets
        var index = offset
        while index < entries.count, tools.count < maxCount {
            let size = entries[index].serialized().count + 1
            // A page always holds at least one tool (SchemaBudget keeps one tool far below the limit).
            if !tools.isEmpty, bytes + size > maxBytes { break }
            bytes += size
            tools.append(entries[index])
            index += 1
        }
        return (tools, index < entries.count ? index : nil)
    }
}
