import Foundation
import GatewayEngine
import Store
import Synchronization

/// Counts the upstream actions (discoveries, approvals) the console's executor ran in this process, per database
/// file, so the sampler re-reads what they changed even when the revision stays put (``ConsoleFeed/upstreams``).
final class UpstreamActionCounter: Sendable {
    static let shared = UpstreamActionCounter()
    private let counts = Mutex<[String: Int]>([:])

    func current(for store: GatewayStore) -> Int { counts.withLock { $0[store.configuration.path] ?? 0 } }
    func bump(for store: GatewayStore) { counts.withLock { $0[store.configuration.path, default: 0] += 1 } }
}

/// Upstreams and their recorded tools as console rows. Definitions are parsed here, once per re-read: the views get
/// the descriptions (approved and current), the members that changed and pretty JSON, all still untrusted text.
extension ConsoleDataSampler {
    /// The upstreams as stored now, with the servers using each (the sampler caches them per ``ConsoleFeed/upstreams``).
    func readUpstreams() throws -> [ConsoleData.UpstreamRow] {
        var uses: [String: [ConsoleData.UpstreamUse]] = [:]
        for server in try store.servers() {
            for source in try store.serverUpstreams(server: server.name) {
                uses[source.upstreamName, default: []].append(
                    ConsoleData.UpstreamUse(server: server.name, prefix: source.link.prefix, tools: source.link.toolSelection))
            }
        }
        return try store.upstreams().map { upstream in
            Self.upstreamRow(upstream, tools: try store.upstreamTools(upstream: upstream.name), servers: uses[upstream.name] ?? [])
        }
    }

    /// A row from an upstream's record, its recorded tools and the servers using it.
    public static func upstreamRow(_ u: UpstreamRecord, tools: [UpstreamToolRecord], servers: [ConsoleData.UpstreamUse]) -> ConsoleData.UpstreamRow {
        ConsoleData.UpstreamRow(
            name: u.name, transport: u.transport.rawValue, location: location(u), headerNames: u.headerFields.keys.sorted(),
            allowPrivateNetwork: u.allowPrivateNetwork, credential: u.credential, servers: servers, tools: tools.map(upstreamToolRow),
            updatedAt: u.updatedAt)
    }

    /// The URL, or the command line with the arguments that need it single-quoted (never run through a shell).
    static func location(_ u: UpstreamRecord) -> String {
        guard u.transport == .stdio else { return u.url ?? "" }
        return u.argv.map { arg in
            let plain = !arg.isEmpty && !arg.contains { $0.isWhitespace || $0 == "'" || $0 == "\"" || $0 == "\\" }
            return plain ? arg : "'" + arg.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }

    /// The members of a definition, in the order the views list what changed.
    static let definitionMembers = ["name", "title", "description", "inputSchema", "outputSchema", "annotations"]

    /// A tool row: the flags split one per line, the definitions parsed (kept as stored text when they do not parse).
    public static func upstreamToolRow(_ t: UpstreamToolRecord) -> ConsoleData.UpstreamToolRow {
        let parser = JSONParser()
        let current = try? parser.parse(t.currentDefinition)
        let approved = t.approvedDefinition.flatMap { try? parser.parse($0) }
        var changed: [String] = []
        if t.approvedFingerprint != nil, t.approvedFingerprint != t.currentFingerprint {
            let a = approved?.objectValue ?? JSONObject()
            let c = current?.objectValue ?? JSONObject()
            let others = (a.keys + c.keys).filter { !definitionMembers.contains($0) }
            var seen = Set<String>()
            changed = (definitionMembers + others).filter { seen.insert($0).inserted && a[$0] != c[$0] }
        }
        return ConsoleData.UpstreamToolRow(
            name: t.name, status: t.status.rawValue, flags: (t.flags ?? "").split(separator: "\n").map(String.init),
            approvedDescription: approved?["description"]?.stringValue, currentDescription: current?["description"]?.stringValue,
            approvedDefinition: approved.map { prettyJSON($0) } ?? t.approvedDefinition,
            currentDefinition: current.map { prettyJSON($0) } ?? t.currentDefinition,
            approvedFingerprint: t.approvedFingerprint, currentFingerprint: t.currentFingerprint, changedMembers: changed, firstSeen: t.firstSeen,
            updatedAt: t.updatedAt)
    }
}
