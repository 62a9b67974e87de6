import Foundation
import Store

/// One version of one server in the registry, as the engine serves it: a gateway server (its `server.json` generated
/// from the live configuration) or an external entry (its `server.json` as registered), with the registry's metadata
/// and what the gateway knows of its health.
public struct RegistryEntry: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// A server this gateway serves.
        case gateway
        /// A server registered here and served elsewhere (or run locally from a package).
        case external
    }

    public var kind: Kind
    public var name: String
    public var version: String
    /// The `server.json` without Gatehouse's live `_meta` (what versions are fingerprinted on).
    public var server: JSONObject
    public var status: RegistryStatus
    public var statusMessage: String?
    public var lifecycle: RegistryEntryRecord.Lifecycle
    public var owner: String?
    public var tags: [String]
    public var publishedAt: Date
    public var updatedAt: Date
    public var statusChangedAt: Date
    public var isLatest: Bool = false
    /// The gateway server (gateway entries): its name and base path.
    public var gatewayServer: String?
    public var basePath: String?
    /// Whether probes of the entry's remote may reach loopback or a private network (external entries).
    public var allowPrivateNetwork = false
    /// The health target this entry's probes are recorded under (`external:<name>` for remote external entries).
    public var healthTarget: String?
    /// The last probe (external entries), or nil.
    public var health: RegistryHealthRecord?
    /// The upstreams of a gateway server, with their last probes.
    public var upstreams: [UpstreamHealth] = []

    /// An upstream a gateway server takes tools from, and its last probe.
    public struct UpstreamHealth: Sendable, Equatable {
        public var upstream: String
        public var health: RegistryHealthRecord?
    }

    /// The remotes' transports (`streamable-http`, `sse`).
    public var transports: [String] { (server["remotes"]?.arrayValue ?? []).compactMap { $0["type"]?.stringValue } }

    /// The first remote URL clients would connect to, preferring Streamable HTTP.
    public var primaryURL: String? {
        let remotes = server["remotes"]?.arrayValue ?? []
        let pick = remotes.first { $0["type"]?.stringValue == "streamable-http" } ?? remotes.first
        return pick?["url"]?.stringValue
    }

    public var title: String? { server["title"]?.stringValue }
    public var description: String { server["description"]?.stringValue ?? "" }

    /// The tool names: from the configuration (gateway entries) or the last probe (external entries).
    public var toolNames: [String] {
        if kind == .gateway { return server["_meta"]?[RegistryMeta.key]?["tools"]?["names"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        return health?.toolNames ?? []
    }

    /// The health an operator sees: the probe's state (external), or the worst of the upstreams' (gateway; reachable
    /// when the server has none, since the gateway itself answers).
    public var healthState: RegistryHealthRecord.State {
        if kind == .external { return health?.state ?? .unknown }
        let states = upstreams.map { $0.health?.state ?? .unknown }
        for bad in [RegistryHealthRecord.State.unreachable, .notMCP, .authRequired, .unknown] where states.contains(bad) { return bad }
        return .reachable
    }

    /// Whether the entry counts as up for `gatehouse_registry_entry_up`.
    public var isUp: Bool { healthState == .reachable }
}

/// Versions compared the way the official registry picks the latest: by semantic-version precedence when both parse,
/// else by publication time.
enum RegistryVersionOrder {
    struct SemVer: Comparable {
        var core: [Int]
        var prerelease: [String]

        init?(_ text: String) {
            var s = Substring(text)
            if s.hasPrefix("v") { s = s.dropFirst() }
            if let plus = s.firstIndex(of: "+") { s = s[..<plus] }
            var pre: [String] = []
            if let dash = s.firstIndex(of: "-") {
                pre = s[s.index(after: dash)...].split(separator: ".").map(String.init)
                s = s[..<dash]
            }
            let parts = s.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
            guard (1...3).contains(parts.count), parts.allSatisfy({ $0 != nil }) else { return nil }
            core = parts.map { $0! } + Array(repeating: 0, count: 3 - parts.count)
            prerelease = pre
        }

        static func < (a: SemVer, b: SemVer) -> Bool {
            if a.core != b.core { return a.core.lexicographicallyPrecedes(b.core) }
            if a.prerelease.isEmpty || b.prerelease.isEmpty { return !a.prerelease.isEmpty && b.prerelease.isEmpty }
            for (x, y) in zip(a.prerelease, b.prerelease) where x != y {
                switch (Int(x), Int(y)) {
                case let (i?, j?): return i < j
                case (.some, nil): return true
                case (nil, .some): return false
                default: return x < y
                }
            }
            return a.prerelease.count < b.prerelease.count
        }
    }

    /// Whether version `a` (published at `at`) comes before `b` (published at `bt`).
    static func precedes(_ a: String, _ at: Date, _ b: String, _ bt: Date) -> Bool {
        if let x = SemVer(a), let y = SemVer(b), x != y { return x < y }
        return at != bt ? at < bt : a < b
    }
}

/// RFC 3339 timestamps as the registry writes and reads them (UTC, milliseconds).
enum RegistryTime {
    /// The date in whole milliseconds since 1970, rounded: the unit every registry timestamp is written and compared
    /// in (a `Date` read back from the store or parsed from text is a double a hair off its millisecond).
    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    /// `2025-08-07T13:15:04.280Z`: the date rounded to its millisecond (formatting the double directly can truncate
    /// `.221` to `.220`, and a client that sends a timestamp back as `updated_since` would then see that entry again).
    static func string(_ date: Date) -> String {
        let ms = milliseconds(date)
        let (seconds, fraction) = (ms - ((ms % 1000) + 1000) % 1000, ((ms % 1000) + 1000) % 1000)
        let whole = Date(timeIntervalSince1970: Double(seconds) / 1000)
            .formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: TimeZone(identifier: "UTC")!))
        let digits = String(fraction)
        return whole.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    /// Parses `2025-08-07T13:15:04.280Z`, `2025-08-07T13:15:04Z` or with an offset.
    static func parse(_ text: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = withFraction.date(from: text) { return d }
        return ISO8601DateFormatter().date(from: text)
    }
}
