import Foundation
import GatewayEngine
import Store
import Synchronization

/// The stored request log, paged for the requests pane (`H`): what the pane asked for is loaded by a screen task
/// (off the main actor) into this buffer, one per database, and a feed drains it into the pane's data at the next
/// sample. Pages go back in time by the log's id, with the log's own filter applied in SQL, so a record older than
/// the few hundred the engine keeps in memory is reached the same way as a recent one.
final class RequestHistory: Sendable {
    static let shared = RequestHistory()
    /// Rows per page.
    static let pageSize = 200
    /// The most rows the pane holds (older pages beyond it drop the newest rows first).
    static let maxRows = 5_000

    /// What is loaded.
    struct Loaded: Sendable, Equatable {
        /// The filter the rows were selected with (the language's text; empty for all).
        var filter: String
        /// Newest first.
        var records: [RequestRecord]
        /// Whether the log holds nothing older.
        var exhausted: Bool
    }

    private let loaded = Mutex<[String: Loaded]>([:])

    func current(for store: GatewayStore) -> Loaded? { loaded.withLock { $0[store.configuration.path] } }

    func clear(for store: GatewayStore) { _ = loaded.withLock { $0.removeValue(forKey: store.configuration.path) } }

    /// Loads the newest page matching `filter` (`more: false`), or the page older than what is loaded.
    /// - Returns: the flash line.
    func load(_ store: GatewayStore, filter text: String, more: Bool) throws -> String {
        let filter = try RequestLogFilter(parsing: text)
        let path = store.configuration.path
        let previous = more ? loaded.withLock { $0[path] }.flatMap { $0.filter == text ? $0 : nil } : nil
        let before = previous?.records.last.map { Int64($0.sequence) }
        let rows = try store.queryRequestLog(filter, limit: Self.pageSize, before: before)
        var records = (previous?.records ?? []) + rows.map(Self.record)
        if records.count > Self.maxRows { records.removeFirst(records.count - Self.maxRows) }
        let page = Loaded(filter: text, records: records, exhausted: rows.count < Self.pageSize)
        loaded.withLock { $0[path] = page }
        let what = text.isEmpty ? "" : " matching \(text)"
        if rows.isEmpty { return more ? "no older stored request\(what)" : "no stored request\(what)" }
        let oldest = rows.last.map { Self.stamp($0.time) } ?? ""
        return
            "stored history: \(records.count) request\(records.count == 1 ? "" : "s")\(what), back to \(oldest)\(page.exhausted ? " (the oldest kept)" : "")"
    }

    /// A stored row as a record (its `sequence` is the log's id; arguments are not stored).
    static func record(_ r: RequestLogRecord) -> RequestRecord {
        var record = RequestRecord(
            sequence: UInt64(max(0, r.id)), time: r.time, server: r.server, client: r.client, transport: r.transport ?? "", method: r.method,
            tool: r.tool, arguments: nil, outcome: RequestRecord.Outcome(rawValue: r.outcome) ?? .rejected, status: r.status,
            backendStatus: r.backendStatus, latency: .microseconds(r.latencyMicros), backendLatency: r.backendMicros.map { .microseconds($0) },
            bytesIn: r.bytesIn, bytesOut: r.bytesOut, error: r.error, principal: r.principal,
            decisions: (r.decisions ?? "").split(separator: "\n").map(String.init), protocolVersion: r.protocolVersion, clientName: r.clientName,
            clientVersion: r.clientVersion, rpcCode: r.rpcCode)
        record.serverFailure = r.serverFailure
        return record
    }

    static func stamp(_ d: Date) -> String {
        d.formatted(Date.ISO8601FormatStyle(dateSeparator: .dash, dateTimeSeparator: .space, timeZone: TimeZone.current))
    }
}
