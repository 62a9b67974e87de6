import Foundation
import Store

/// One request-log record as `gatehouse logs` prints it: a table row, a CSV line or a JSON object (the columns of
/// APIM's MCP log, latency included).
struct LogLine: Encodable {
    var id: Int64
    var time: String
    var server: String
    var method: String
    var tool: String?
    var transport: String?
    var protocolVersion: String?
    var clientName: String?
    var clientVersion: String?
    var clientAddress: String
    var principal: String?
    var authMethod: String
    var outcome: String
    var rpcCode: Int?
    var isError: Bool
    var httpStatus: Int
    var backendStatus: Int?
    var latencyMs: Double
    var backendMs: Double?
    var cacheHit: Bool
    var bytesIn: Int
    var bytesOut: Int
    var error: String?

    init(_ r: RequestLogRecord) {
        id = r.id
        time = Self.time(r.time)
        server = r.server
        method = r.method
        tool = r.tool
        transport = r.transport
        protocolVersion = r.protocolVersion
        clientName = r.clientName
        clientVersion = r.clientVersion
        clientAddress = r.client
        principal = r.principal
        authMethod = r.fields.authMethod
        outcome = r.outcome
        rpcCode = r.rpcCode
        isError = r.outcome == "tool_error"
        httpStatus = r.status
        backendStatus = r.backendStatus
        latencyMs = Double(r.latencyMicros) / 1000
        backendMs = r.backendMicros.map { Double($0) / 1000 }
        cacheHit = r.cacheHit
        bytesIn = r.bytesIn
        bytesOut = r.bytesOut
        error = r.error
    }

    static let tableHeader = ["ID", "TIME", "SERVER", "METHOD", "TOOL", "CLIENT", "PRINCIPAL", "OUTCOME", "CODE", "HTTP", "MS"]

    var tableRow: [String] {
        [
            "\(id)", time, server, method, tool ?? "-", clientName ?? clientAddress, principal ?? "-", outcome, rpcCode.map(String.init) ?? "-",
            "\(httpStatus)", Self.ms(Int64(latencyMs * 1000)),
        ].map(Self.printable)
    }

    static let csvHeader =
        "id,time,server,method,tool,transport,protocol_version,client_name,client_version,client_address,principal,auth_method,outcome,rpc_code,is_error,http_status,backend_status,latency_ms,backend_ms,cache_hit,bytes_in,bytes_out,error"

    var csvLine: String {
        let cells: [String] = [
            "\(id)", time, server, method, tool ?? "", transport ?? "", protocolVersion ?? "", clientName ?? "", clientVersion ?? "", clientAddress,
            principal ?? "", authMethod, outcome, rpcCode.map(String.init) ?? "", "\(isError)", "\(httpStatus)", backendStatus.map(String.init) ?? "",
            String(format: "%.3f", latencyMs), backendMs.map { String(format: "%.3f", $0) } ?? "", "\(cacheHit)", "\(bytesIn)", "\(bytesOut)",
            error ?? "",
        ]
        return cells.map(Self.csvCell).joined(separator: ",")
    }

    /// One compact JSON object (keys sorted, so lines diff and grep well).
    func jsonLine() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// RFC 4180: quoted when it holds a comma, a quote or a line break; formula-leading cells prefixed with `'` so a
    /// spreadsheet never runs a value a client sent.
    static func csvCell(_ s: String) -> String {
        var v = s
        if let first = v.first, "=+-@\t\r".contains(first), Int(v) == nil, Double(v) == nil { v = "'" + v }
        guard v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return v }
        return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Control characters shown as `?`, so a record cannot move the terminal's cursor.
    static func printable(_ s: String) -> String {
        String(s.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : Character($0) })
    }

    static func time(_ d: Date) -> String {
        d.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!))
    }

    static func ms(_ micros: Int64) -> String { String(format: "%.1f", Double(micros) / 1000) }
}

/// One group of `gatehouse logs stats --json`.
struct StatsLine: Encodable {
    var group: String
    var bucket: String?
    var calls: Int
    var errors: Int
    var errorRate: Double
    var rejected: Int
    var p50Ms: Double
    var p95Ms: Double
    var p99Ms: Double
    var maxMs: Double

    init(_ s: RequestLogStats) {
        group = s.group
        bucket = s.bucket.map(LogLine.time)
        calls = s.calls
        errors = s.errors
        errorRate = s.errorRate
        rejected = s.rejected
        p50Ms = Double(s.p50) / 1000
        p95Ms = Double(s.p95) / 1000
        p99Ms = Double(s.p99) / 1000
        maxMs = Double(s.max) / 1000
    }
}
