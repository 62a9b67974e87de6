import Foundation
import GatewayEngine
import Store

/// The Registry screen's effects, through ``RegistryAdmin`` (the CLI's rules).
extension ConsoleEffectExecutor {
    func performRegistry(_ effect: RegistryEffect) async throws -> String {
        let admin = RegistryAdmin(store: store)
        switch effect {
        case .add(let spec, let attributes):
            let r = try admin.add(try RegistryAdmin.document(for: spec), attributes)
            return "registered \(r.name) \(r.version); the engine probes it now"
        case .updateExternal(let name, let version, let description, let title, let url, let attributes):
            guard let current = try store.registryEntries(named: name).first(where: { $0.version == version && $0.deletedAt == nil }),
                case .object(var doc) = try JSONParser(maxDepth: 64).parse(current.document)
            else { throw GatewayError(.notFound, "no registry entry '\(name)' version \(version)") }
            if let description { doc["description"] = .string(description) }
            doc["title"] = title.map { .string($0) }
            if let url, url != (doc["remotes"]?.arrayValue?.first?["url"]?.stringValue) {
                let type = doc["remotes"]?.arrayValue?.first?["type"]?.stringValue ?? "streamable-http"
                doc["remotes"] = try RegistryAdmin.document(for: .init(name: name, url: url, transport: type == "sse" ? "sse" : "streamable"))["remotes"]
            }
            let r = try admin.update(name: name, version: version, document: doc) { a in
                a.lifecycle = attributes.lifecycle
                a.owner = attributes.owner
                a.tags = attributes.tags
                a.statusMessage = attributes.statusMessage
            }
            return "updated \(r.name) \(r.version) (\(r.lifecycle.rawValue))"
        case .updateGateway(let server, let version, let title, let description, let lifecycle, let owner, let tags, let message):
            let r = try admin.updateGateway(server: server) { g in
                if let version { g.version = version }
                if let title { g.title = title }
                if let description { g.description = description }
                g.lifecycle = lifecycle
                g.owner = owner
                g.tagList = tags
                g.statusMessage = message
            }
            return "updated the registry entry of server '\(server)' (\(r.lifecycle.rawValue), version \(r.version ?? "derived"))"
        case .deprecate(let name, let version, let message):
            return "deprecated \(try admin.deprecate(name, version: version, message: message))"
        case .remove(let name, let version):
            return "removed \(try store.removeRegistryEntry(name: name, version: version).joined(separator: ", "))"
        case .approve(let name):
            let approved = try store.approveRegistryEntries(name: name)
            return approved.isEmpty ? "nothing waited for approval" : "approved \(approved.joined(separator: ", "))"
        case .probe(let name):
            let outcomes = try await admin.probe(name)
            UpstreamActionCounter.shared.bump(for: store)
            if let one = outcomes.first, outcomes.count == 1 {
                return "\(one.target): \(one.state.rawValue)" + (one.latencyMs.map { String(format: " in %.0f ms", $0) } ?? "")
                    + (one.toolCount.map { ", \($0) tools" } ?? "") + (one.change.map { " (\($0))" } ?? "")
            }
            let up = outcomes.filter { $0.state == .reachable }.count
            return "probed \(outcomes.count): \(up) reachable, \(outcomes.count - up) not"
        }
    }
}
