import Foundation

/// The admin endpoint's JSON for what ``GatewayMonitoring`` returns: records, events, snapshots and the engine's
/// status, each as a ``JSONValue`` object with stable, documented keys (`docs/ADMIN-API.md`), and back. Times are
/// seconds since 1970 (fractional), durations whole microseconds; absent optionals are left out. Records are masked
/// before they reach the monitor, so nothing here can carry a secret.
public enum MonitorWire {
    /// A malformed document from the admin endpoint.
    public struct DecodingError: GatehouseError {
        public var message: String
        public var errorCode: String { "admin_decoding" }
        public var description: String { "the admin endpoint sent \(message)" }
    }

    // MARK: Records

    public static func encode(_ r: RequestRecord) -> JSONValue {
        var o: JSONObject = [
            "sequence": .int(Int64(r.sequence)), "time": .double(r.time.timeIntervalSince1970), "server": .string(r.server),
            "client": .string(r.client), "transport": .string(r.transport), "method": .string(r.method), "outcome": .string(r.outcome.rawValue),
            "status": .int(Int64(r.status)), "latencyUs": .int(r.latency.microseconds), "bytesIn": .int(Int64(r.bytesIn)),
            "bytesOut": .int(Int64(r.bytesOut)),
        ]
        if let v = r.tool { o["tool"] = .string(v) }
        if r.toolIsKnown { o["toolIsKnown"] = .bool(true) }
        if r.serverFailure { o["serverFailure"] = .bool(true) }
        if let v = r.arguments { o["arguments"] = v }
        if let v = r.backendStatus { o["backendStatus"] = .int(Int64(v)) }
        if let v = r.backendLatency { o["backendLatencyUs"] = .int(v.microseconds) }
        if let v = r.error { o["error"] = .string(v) }
        if let v = r.principal { o["principal"] = .string(v) }
        if !r.decisions.isEmpty { o["decisions"] = .array(r.decisions.map(JSONValue.string)) }
        if let v = r.protocolVersion { o["protocolVersion"] = .string(v) }
        if let v = r.clientName { o["clientName"] = .string(v) }
        if let v = r.clientVersion { o["clientVersion"] = .string(v) }
        if let v = r.rpcCode { o["rpcCode"] = .int(Int64(v)) }
        return .object(o)
    }

    public static func record(_ value: JSONValue) throws(DecodingError) -> RequestRecord {
        let o = try object(value, "a record")
        guard let outcome = RequestRecord.Outcome(rawValue: try string(o, "outcome")) else { throw DecodingError(message: "an unknown outcome") }
        var r = RequestRecord(
            sequence: UInt64(max(0, try int(o, "sequence"))), time: Date(timeIntervalSince1970: try double(o, "time")),
            server: try string(o, "server"),
            client: try string(o, "client"), transport: try string(o, "transport"), method: try string(o, "method"),
            tool: o["tool"]?.stringValue, arguments: o["arguments"], outcome: outcome, status: Int(try int(o, "status")),
            backendStatus: o["backendStatus"]?.intValue.map { Int($0) }, latency: .microseconds(try int(o, "latencyUs")),
            backendLatency: o["backendLatencyUs"]?.intValue.map { .microseconds($0) }, bytesIn: Int(try int(o, "bytesIn")),
            bytesOut: Int(try int(o, "bytesOut")), error: o["error"]?.stringValue, principal: o["principal"]?.stringValue,
            decisions: o["decisions"]?.arrayValue?.compactMap(\.stringValue) ?? [], protocolVersion: o["protocolVersion"]?.stringValue,
            clientName: o["clientName"]?.stringValue, clientVersion: o["clientVersion"]?.stringValue, rpcCode: o["rpcCode"]?.intValue.map { Int($0) })
        r.toolIsKnown = o["toolIsKnown"]?.boolValue ?? false
        r.serverFailure = o["serverFailure"]?.boolValue ?? false
        return r
    }

    // MARK: Events

    public static func encode(_ e: EngineEvent) -> JSONValue {
        .object([
            "sequence": .int(Int64(e.sequence)), "time": .double(e.time.timeIntervalSince1970), "level": .string(e.level.rawValue),
            "message": .string(e.message),
        ])
    }

    public static func event(_ value: JSONValue) throws(DecodingError) -> EngineEvent {
        let o = try object(value, "an event")
        guard let level = EngineEvent.Level(rawValue: try string(o, "level")) else { throw DecodingError(message: "an unknown event level") }
        var e = EngineEvent(time: Date(timeIntervalSince1970: try double(o, "time")), level: level, message: try string(o, "message"))
        e.sequence = UInt64(max(0, o["sequence"]?.intValue ?? 0))
        return e
    }

    // MARK: Snapshots

    public static func encode(_ s: MonitorSnapshot) -> JSONValue {
        var servers = JSONObject()
        for name in s.servers.keys.sorted() { servers[name] = encode(s.servers[name]!) }
        var limits = JSONObject()
        for name in s.limitHits.keys.sorted() { limits[name] = .int(Int64(s.limitHits[name]!)) }
        return .object([
            "startedAt": .double(s.startedAt.timeIntervalSince1970), "takenAt": .double(s.takenAt.timeIntervalSince1970), "total": encode(s.total),
            "servers": .object(servers), "droppedLogRecords": .int(Int64(s.droppedLogRecords)), "limitHits": .object(limits),
        ])
    }

    public static func snapshot(_ value: JSONValue) throws(DecodingError) -> MonitorSnapshot {
        let o = try object(value, "a snapshot")
        var servers: [String: TrafficStats] = [:]
        for (name, stats) in try object(o["servers"] ?? .object([:]), "server figures") { servers[name] = try traffic(stats) }
        var limits: [String: Int] = [:]
        for (name, count) in try object(o["limitHits"] ?? .object([:]), "limit counts") { limits[name] = Int(count.intValue ?? 0) }
        return MonitorSnapshot(
            startedAt: Date(timeIntervalSince1970: try double(o, "startedAt")), takenAt: Date(timeIntervalSince1970: try double(o, "takenAt")),
            total: try traffic(o["total"] ?? .null), servers: servers, droppedLogRecords: Int(try int(o, "droppedLogRecords")), limitHits: limits)
    }

    static func encode(_ t: TrafficStats) -> JSONValue {
        var o: JSONObject = [
            "requestsPerSecond": .double(t.requestsPerSecond), "errorRate": .double(t.errorRate), "requests": .int(Int64(t.requests)),
            "totalRequests": .int(Int64(t.totalRequests)), "history": .array(t.history.map { .int(Int64($0)) }),
            "serverErrors": .int(Int64(t.serverErrors)),
        ]
        if let v = t.p50 { o["p50Us"] = .int(v.microseconds) }
        if let v = t.p95 { o["p95Us"] = .int(v.microseconds) }
        if let v = t.p99 { o["p99Us"] = .int(v.microseconds) }
        return .object(o)
    }

    static func traffic(_ value: JSONValue) throws(DecodingError) -> TrafficStats {
        let o = try object(value, "traffic figures")
        return TrafficStats(
            requestsPerSecond: try double(o, "requestsPerSecond"), errorRate: try double(o, "errorRate"),
            p50: o["p50Us"]?.intValue.map { .microseconds($0) }, p95: o["p95Us"]?.intValue.map { .microseconds($0) },
            p99: o["p99Us"]?.intValue.map { .microseconds($0) }, requests: Int(try int(o, "requests")),
            totalRequests: Int(try int(o, "totalRequests")),
            history: o["history"]?.arrayValue?.compactMap { $0.intValue.map { Int($0) } } ?? [], serverErrors: Int(o["serverErrors"]?.intValue ?? 0))
    }

    // MARK: Members

    static func object(_ value: JSONValue, _ what: String) throws(DecodingError) -> JSONObject {
        guard let o = value.objectValue else { throw DecodingError(message: "\(what) that is not an object") }
        return o
    }

    static func string(_ o: JSONObject, _ key: String) throws(DecodingError) -> String {
        guard let v = o[key]?.stringValue else { throw DecodingError(message: "no string '\(key)'") }
        return v
    }

    static func int(_ o: JSONObject, _ key: String) throws(DecodingError) -> Int64 {
        guard let v = o[key]?.intValue else { throw DecodingError(message: "no integer '\(key)'") }
        return v
    }

    static func double(_ o: JSONObject, _ key: String) throws(DecodingError) -> Double {
        guard let v = o[key]?.doubleValue else { throw DecodingError(message: "no number '\(key)'") }
        return v
    }
}
