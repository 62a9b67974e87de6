import ArgumentParser
import ConsoleUI
import Foundation
import GatewayEngine
import Logging
import Store

/// Tool counts by status.
struct ToolCounts: Encodable {
    var approved = 0
    var pending = 0
    var removed = 0
    init(_ tools: [UpstreamToolRecord]) {
        for t in tools {
            switch t.status {
            case .approved: approved += 1
            case .pending: pending += 1
            case .removed: removed += 1
            }
        }
    }
}

struct UpstreamSummary: Encodable {
    var name, transport, location: String
    var url: String?
    var command: [String]?
    /// Values masked.
    var environment: [String: String]?
    var workingDirectory: String?
    var headers: [String: String]?
    var allowPrivateNetwork: Bool
    var credential, credentialOrigin: String?
    var timeoutSeconds, maxTimeoutSeconds: Double?
    var tools: ToolCounts

    init(_ u: UpstreamRecord, tools: [UpstreamToolRecord]) {
        name = u.name
        transport = u.transport.rawValue
        location = UpstreamCommand.location(u)
        url = u.url
        command = u.transport == .stdio ? u.argv : nil
        environment = u.env.isEmpty ? nil : u.env.mapValues(UpstreamCommand.shown)
        workingDirectory = u.workingDirectory
        headers = u.headerFields.isEmpty ? nil : u.headerFields
        allowPrivateNetwork = u.allowPrivateNetwork
        credential = u.credential
        credentialOrigin = u.credentialOrigin
        timeoutSeconds = u.timeoutSeconds
        maxTimeoutSeconds = u.maxTimeoutSeconds
        self.tools = ToolCounts(tools)
    }
}

struct UpstreamToolSummary: Encodable {
    var name, status: String
    var flags: [String]
    var description: String?
    /// Pending tools approved before: the approved description, and the top-level fields of the definition that changed.
    var approvedDescription: String?
    var changedFields: [String]?
    var firstSeen, updatedAt: Date

    init(_ t: UpstreamToolRecord) {
        name = t.name
        status = t.status.rawValue
        flags = (t.flags ?? "").split(separator: "\n").map(String.init)
        let current = Self.object(t.currentDefinition)
        description = current["description"] as? String
        firstSeen = t.firstSeen
        updatedAt = t.updatedAt
        guard t.status == .pending, t.approvedDefinition != nil else { return }
        let approved = Self.object(t.approvedDefinition)
        approvedDescription = approved["description"] as? String
        changedFields = Swift.Set(current.keys).union(approved.keys).sorted().filter { Self.canonical(current[$0]) != Self.canonical(approved[$0]) }
    }

    static func object(_ text: String?) -> [String: Any] {
        guard let text, let value = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return [:] }
        return value
    }

    static func canonical(_ value: Any?) -> String {
        guard let value else { return "" }
        return (try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) } ?? "?"
    }
}

struct UpstreamDetail: Encodable {
    var upstream: UpstreamSummary
    var servers: [String]
    var tools: [UpstreamToolSummary]
}
