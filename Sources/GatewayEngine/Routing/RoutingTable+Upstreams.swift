import Foundation
import Store

extension RoutingTable {
    /// Adds a server's upstream tools: approved definitions only, selection, prefix, renames and description
    /// overrides applied. A name another source already uses is skipped and reported (a prefix resolves it); a tool
    /// whose definition changed since approval is held back with the reason clients get.
    static func compileUpstreams(_ s: ConfigSnapshot.Server, snapshot: ConfigSnapshot, into server: inout CompiledServer, problems: inout [String]) {
        for source in s.upstreams {
            let link = source.link
            server.upstreams.append(CompiledUpstreamSource(upstream: source.upstreamName, prefix: link.prefix ?? ""))
            let selection = link.toolSelection.map(Set.init)
            let renames = link.renameMap
            let descriptions = link.descriptionMap
            for record in snapshot.upstreamTools[source.upstreamName] ?? [] {
                if let selection, !selection.contains(record.name) { continue }
                let exposed = renames[record.name] ?? ((link.prefix ?? "") + record.name)
                switch record.status {
                case .removed:
                    continue
                case .pending:
                    server.heldBack[exposed] =
                        "Tool \(exposed) is held back: its definition at upstream '\(source.upstreamName)' changed and waits for an administrator's approval (gatehouse upstream approve \(source.upstreamName) --tool \(record.name))"
                    continue
                case .approved:
                    break
                }
                guard let text = record.approvedDefinition, case .object(var definition)? = try? JSONParser(maxDepth: 128).parse(text) else {
                    problems.append("server '\(s.record.name)': upstream tool '\(source.upstreamName)/\(record.name)' has an unreadable definition")
                    continue
                }
                if let other = server.toolIndex[exposed] {
                    let owner = server.tools[other].upstream.map { "upstream '\($0.upstream)'" } ?? "API '\(server.tools[other].apiName)'"
                    problems.append(
                        "server '\(s.record.name)': tool '\(exposed)' of upstream '\(source.upstreamName)' collides with the tool of \(owner); skipped (give the upstream a prefix)"
                    )
                    continue
                }
                definition["name"] = .string(exposed)
                if let d = descriptions[record.name] { definition["description"] = .string(d) }
                let description = definition["description"]?.stringValue ?? ""
                var legacy = definition
                legacy["title"] = nil
                legacy["outputSchema"] = nil
                server.toolIndex[exposed] = server.tools.count
                server.tools.append(
                    CompiledTool(
                        name: exposed, description: description, operation: nil,
                        upstream: UpstreamToolBinding(upstream: source.upstreamName, remoteName: record.name), apiName: source.upstreamName,
                        baseURL: nil, allowPrivateNetwork: false, credential: nil, credentialOrigin: nil, listEntry: .object(definition),
                        legacyListEntry: .object(legacy)))
            }
        }
    }

    /// The upstreams used by enabled servers.
    var upstreamsInUse: Set<String> {
        Set(servers.values.flatMap { $0.upstreams.map(\.upstream) })
    }
}
