import ArgumentParser
import Foundation
import GatewayEngine
import Store

/// `gatehouse logs`: the stored request log, read with the filter language (`server:pets status:error since:1h`).
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Query the request log with a filter: server:pets tool:get* status:error client:claude* latency>500ms since:1h.",
        discussion: """
            Terms are joined by AND; OR joins alternatives and -TERM or -(…) negates. Text keys (globs, case-insensitive): \
            server, tool, method, client (its name), address, principal (alice matches jwt:alice and subscription:alice), \
            transport, version, error. Numbers: latency (500ms, 2s), status (429, 4xx, or ok/error/tool_error/rpc_error/rejected), \
            code (JSON-RPC, e.g. -32602), backend, bytes-in, bytes-out, with :, =, <, <=, >, >=. Time: since:15m, until:1h \
            (s, m, h, d, w). outcome:ok|error|tool_error|rpc_error|rejected. An expression that starts with - goes after \
            -- (gatehouse logs query -- -status:ok).
            """,
        subcommands: [Query.self, Stats.self, Tail.self, Export.self])

    struct Query: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the newest records that match, newest first.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The filter (empty: every record).") var filter: String = ""
        @Option(name: .long, help: "At most this many records (default 50).") var limit: Int = 50
        @Option(name: .long, help: "Only records older than this record id (to page back).") var before: Int64?
        @Flag(name: .long, help: "One JSON object per line.") var json = false
        @Flag(name: .long, help: "CSV with a header line.") var csv = false

        func validate() throws {
            if json && csv { throw ValidationError("--json and --csv are exclusive") }
            if limit < 1 { throw ValidationError("--limit must be at least 1") }
        }

        func run() async throws {
            try await runReportingErrors {
                let f = try RequestLogFilter(parsing: filter)
                let rows = try store.open(check: false, reading: true).queryRequestLog(f, limit: limit, before: before)
                if json {
                    for r in rows { print(try LogLine(r).jsonLine()) }
                } else if csv {
                    print(LogLine.csvHeader)
                    for r in rows { print(LogLine(r).csvLine) }
                } else {
                    printTable(LogLine.tableHeader, rows.map { LogLine($0).tableRow })
                    if rows.count == limit, let last = rows.last { print("… more with --before \(last.id)") }
                }
            }
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Counts, error rate and latency percentiles per group (and time bucket).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The filter (empty: every record).") var filter: String = ""
        @Option(name: .long, help: "Group by tool, server, client, principal, code or policy (default tool).") var by: String = "tool"
        @Option(name: .long, help: "Also per time bucket of this length (1m, 5m, 1h).") var every: String?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runReportingErrors {
                guard let grouping = RequestLogGrouping(rawValue: by) else {
                    throw GatewayError(.invalidConfig, "--by \(by): use \(RequestLogGrouping.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                let seconds = try every.map { e throws(GatewayError) -> Int64 in
                    guard let s = RequestLogFilter.seconds(e), s > 0 else {
                        throw GatewayError(.invalidConfig, "--every \(e): use a duration such as 1m, 5m or 1h")
                    }
                    return s
                }
                let f = try RequestLogFilter(parsing: filter)
                let stats = try store.open(check: false, reading: true).requestLogStats(f, by: grouping, every: seconds)
                if output.json {
                    try printJSON(stats.map(StatsLine.init))
                } else {
                    let header =
                        [by.uppercased()] + (seconds == nil ? [] : ["BUCKET"]) + ["CALLS", "ERRORS", "ERR%", "REJECTED", "P50", "P95", "P99", "MAX"]
                    printTable(
                        header,
                        stats.map { s in
                            [s.group] + (seconds == nil ? [] : [s.bucket.map(LogLine.time) ?? ""])
                                + [
                                    "\(s.calls)", "\(s.errors)", String(format: "%.1f", s.errorRate * 100), "\(s.rejected)", LogLine.ms(s.p50),
                                    LogLine.ms(s.p95),
                                    LogLine.ms(s.p99), LogLine.ms(s.max),
                                ]
                        })
                }
            }
        }
    }

    struct Tail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the last records that match, then follow new ones (Ctrl-C stops).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The filter (empty: every record).") var filter: String = ""
        @Option(name: .short, help: "Records to show first (default 10).") var n: Int = 10
        @Flag(name: .long, help: "One JSON object per line.") var json = false

        func run() async throws {
            try await runReportingErrors {
                let f = try RequestLogFilter(parsing: filter)
                let s = try store.open(check: false, reading: true)
                let first = try s.queryRequestLog(f, limit: max(0, n)).reversed()
                var last = try s.queryRequestLog(.all, limit: 1).first?.id ?? 0
                // Written unbuffered, line by line, so a pipe (`| grep`) sees each record as it arrives.
                let out = FileHandle.standardOutput
                func line(_ text: String) throws { try out.write(contentsOf: Data((text + "\n").utf8)) }
                func emit(_ r: RequestLogRecord) throws { try line(json ? try LogLine(r).jsonLine() : LogLine(r).tableRow.joined(separator: "  ")) }
                if !json { try line(LogLine.tableHeader.joined(separator: "  ")) }
                for r in first { try emit(r) }
                while !Task.isCancelled {
                    try await Task.sleep(for: .milliseconds(500))
                    // Up to the newest id seen now, so nothing written meanwhile is skipped next round.
                    guard let top = try s.queryRequestLog(.all, limit: 1).first?.id, top > last else { continue }
                    var page = try s.queryRequestLog(f, limit: 1000, before: top + 1, after: last)
                    var batch = page.count
                    while batch == 1000, let oldest = page.last {
                        let more = try s.queryRequestLog(f, limit: 1000, before: oldest.id, after: last)
                        batch = more.count
                        page += more
                    }
                    for r in page.reversed() { try emit(r) }
                    last = top
                }
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write the records that match as JSON lines, oldest first (for a log pipeline).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The filter (empty: every record).") var filter: String = ""

        func run() async throws {
            try await runReportingErrors {
                let f = try RequestLogFilter(parsing: filter)
                let out = FileHandle.standardOutput
                try store.open(check: false, reading: true).forEachRequestLog(f) { r in
                    try out.write(contentsOf: Data((LogLine(r).jsonLine() + "\n").utf8))
                    return true
                }
            }
        }
    }
}
