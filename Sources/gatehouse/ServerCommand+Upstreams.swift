import ArgumentParser
import ConsoleUI
import Foundation
import GatewayEngine
import Store

/// The server subcommands that manage upstream sources, and the planning they share with `server create`.
extension ServerCommand {
    struct AddUpstream: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-upstream",
            abstract: "Expose an upstream's tools on a server (again: replaces its tool selection and prefix, keeping renames).")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        @Option(name: .long, help: "The upstream.") var upstream: String
        @Option(name: .long, help: "Tools to expose, comma-separated (default: every tool).") var tools: [String] = []
        @Option(name: .long, help: "A prefix for the exposed names.") var prefix: String?

        func run() async throws {
            try await runReportingErrors {
                let db = try store.open()
                let server = try db.server(named: name)
                let sources = try db.serverUpstreams(server: name)
                let existing = sources.first { $0.upstreamName == upstream }
                guard
                    var plan = try await ServerCommand.planSources(db, upstreams: [upstream], tools: tools, prefixes: prefix.map { [$0] } ?? []).first
                else { return }
                if let existing {
                    // Renames and description overrides survive for the tools still selected.
                    let selection = plan.spec.tools
                    let keep = { (remote: String) in selection?.contains(remote) ?? true }
                    plan.spec.renames = existing.link.renameMap.filter { keep($0.key) }
                    plan.spec.descriptions = existing.link.descriptionMap.filter { keep($0.key) }
                }
                var claims = try ServerCommand.claims(db, server: server, sources: sources.filter { $0.upstreamName != upstream })
                claims += UpstreamRules.upstreamClaims(plan.spec, recorded: plan.recorded)
                if let collision = UpstreamRules.firstCollision(claims) {
                    throw GatewayError(.conflict, UpstreamRules.collisionMessage(collision, hint: "use --prefix P to tell them apart"))
                }
                try UpstreamRules.replaceSource(store: db, server: name, with: plan.spec)
                let count = UpstreamRules.upstreamClaims(plan.spec, recorded: plan.recorded).count
                print("\(existing == nil ? "added" : "updated") upstream '\(upstream)' on server '\(name)': \(count) tool\(count == 1 ? "" : "s")")
            }
        }
    }

    struct RemoveUpstream: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove-upstream", abstract: "Stop exposing an upstream's tools on a server.")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        @Argument var upstream: String

        func run() async throws {
            try await runReportingErrors {
                let db = try store.open()
                let server = try db.server(named: name)
                let sources = try db.serverUpstreams(server: name)
                if server.apiId == nil, sources.count == 1, sources[0].upstreamName == upstream {
                    throw GatewayError(
                        .invalidArgument,
                        "upstream '\(upstream)' is the only source of server '\(name)'; add another first, or delete the server (gatehouse server delete \(name))"
                    )
                }
                try db.removeServerUpstream(server: name, upstream: upstream)
                print("removed upstream '\(upstream)' from server '\(name)'")
            }
        }
    }

    struct RenameTool: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rename-tool", abstract: "Rename an upstream tool on a server, or override its description ('' restores either).")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        @Option(name: .long, help: "The upstream.") var upstream: String
        @Option(name: .long, help: "The tool's name at the upstream.") var tool: String
        @Option(name: .customLong("name"), help: "The name clients see ('' restores the prefixed upstream name).") var newName: String?
        @Option(name: .long, help: "The description clients see ('' restores the upstream's).") var description: String?

        func validate() throws {
            if newName == nil && description == nil { throw ValidationError("give --name, --description, or both") }
        }

        func run() async throws {
            try await runReportingErrors {
                let db = try store.open()
                let server = try db.server(named: name)
                let sources = try db.serverUpstreams(server: name)
                guard let source = sources.first(where: { $0.upstreamName == upstream }) else {
                    throw GatewayError(
                        .notFound,
                        "server '\(name)' does not use upstream '\(upstream)' (it uses: \(sources.isEmpty ? "none" : sources.map(\.upstreamName).joined(separator: ", ")))"
                    )
                }
                let recorded = try db.upstreamTools(upstream: upstream)
                var spec = UpstreamRules.spec(of: source)
                let available = spec.tools ?? recorded.filter { $0.status != .removed }.map(\.name)
                guard available.contains(tool) else {
                    throw GatewayError(
                        .notFound,
                        "server '\(name)' exposes no tool '\(tool)' of upstream '\(upstream)' (tools: \(available.isEmpty ? "none recorded yet; gatehouse upstream test \(upstream)" : available.joined(separator: ", ")))"
                    )
                }
                if let newName {
                    if newName.isEmpty {
                        spec.renames[tool] = nil
                    } else {
                        if let p = UpstreamRules.toolNameProblem(newName) { throw GatewayError(.invalidArgument, "--name: \(p)") }
                        spec.renames[tool] = newName
                    }
                }
                if let description { spec.descriptions[tool] = description.isEmpty ? nil : description }
                var claims = try ServerCommand.claims(db, server: server, sources: sources.filter { $0.upstreamName != upstream })
                claims += UpstreamRules.upstreamClaims(spec, recorded: recorded)
                if let collision = UpstreamRules.firstCollision(claims) {
                    throw GatewayError(.conflict, UpstreamRules.collisionMessage(collision, hint: "choose another --name"))
                }
                try UpstreamRules.replaceSource(store: db, server: name, with: spec)
                let link = ServerUpstreamRecord.New(serverId: 0, upstreamId: 0, prefix: spec.prefix, renames: spec.renames)
                print(
                    "tool '\(tool)' of upstream '\(upstream)' is '\(link.exposedName(of: tool))' on server '\(name)'\(spec.descriptions[tool] != nil ? " (description overridden)" : "")"
                )
            }
        }
    }
}

extension ServerCommand {
    static let prefixHint = "use --prefix UP=P (or --prefix P for every upstream) to tell them apart"

    /// An upstream source being planned: its spec and the upstream's recorded tools.
    struct PlannedSource {
        var spec: ServerUpstreamSpec
        var recorded: [UpstreamToolRecord]
    }

    /// Resolves `--upstream`, `--tools` and `--prefix` into sources. An upstream with no recorded tools is
    /// discovered first (connect, list, record).
    static func planSources(_ db: GatewayStore, upstreams: [String], tools: [String], prefixes: [String]) async throws -> [PlannedSource] {
        var recorded: [String: [UpstreamToolRecord]] = [:]
        for up in upstreams {
            _ = try db.upstream(named: up)
            var list = try db.upstreamTools(upstream: up)
            if list.isEmpty {
                FileHandle.standardError.write(Data("listing the tools of upstream '\(up)'…\n".utf8))
                do {
                    list = try await UpstreamCommand.admin(db).discover(up).tools
                } catch {
                    throw GatewayError(
                        .fetchFailed, "cannot list the tools of upstream '\(up)': \(error.message) (check it with gatehouse upstream test \(up))")
                }
            }
            recorded[up] = list
        }
        func listed(_ up: String) -> [String] { (recorded[up] ?? []).filter { $0.status != .removed }.map(\.name) }
        // Prefixes: P for every upstream, UP=P for one.
        var common: String?
        var own: [String: String] = [:]
        for p in prefixes {
            if let eq = p.firstIndex(of: "=") {
                let up = String(p[..<eq])
                let value = String(p[p.index(after: eq)...])
                guard upstreams.contains(up) else {
                    throw GatewayError(
                        .invalidArgument, "--prefix \(p): '\(up)' is not one of the --upstream sources (\(upstreams.joined(separator: ", ")))")
                }
                if let problem = UpstreamRules.prefixProblem(value) { throw GatewayError(.invalidArgument, "--prefix: \(problem)") }
                guard own.updateValue(value, forKey: up) == nil else { throw GatewayError(.invalidArgument, "--prefix for '\(up)' is given twice") }
            } else {
                if let problem = UpstreamRules.prefixProblem(p) { throw GatewayError(.invalidArgument, "--prefix: \(problem)") }
                guard common == nil else {
                    throw GatewayError(.invalidArgument, "--prefix P (for every upstream) is given twice; use UP=P for one upstream")
                }
                common = p
            }
        }
        // Tools: UP/tool, or a name exactly one upstream lists.
        var selected: [String: [String]] = [:]
        let entries = tools.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
        for entry in entries {
            var up: String
            var tool: String
            if let slash = entry.firstIndex(of: "/"), upstreams.contains(String(entry[..<slash])) {
                up = String(entry[..<slash])
                tool = String(entry[entry.index(after: slash)...])
                guard listed(up).contains(tool) else {
                    let names = listed(up)
                    throw GatewayError(
                        .notFound, "upstream '\(up)' lists no tool '\(tool)' (tools: \(names.isEmpty ? "none" : names.joined(separator: ", ")))")
                }
            } else {
                tool = entry
                let owners = upstreams.filter { listed($0).contains(entry) }
                switch owners.count {
                case 1: up = owners[0]
                case 0:
                    let all = upstreams.flatMap { u in listed(u).map { "\(u)/\($0)" } }
                    throw GatewayError(
                        .notFound,
                        "no upstream among \(upstreams.joined(separator: ", ")) lists a tool '\(entry)' (tools: \(all.isEmpty ? "none" : all.prefix(30).joined(separator: ", "))\(all.count > 30 ? ", …" : ""))"
                    )
                default:
                    throw GatewayError(
                        .conflict,
                        "tool '\(entry)' is listed by several upstreams: \(owners.map { "\($0)/\(entry)" }.joined(separator: ", ")); write UP/\(entry)"
                    )
                }
            }
            if !(selected[up] ?? []).contains(tool) { selected[up, default: []].append(tool) }
        }
        return upstreams.map { up in
            PlannedSource(spec: ServerUpstreamSpec(upstream: up, prefix: own[up] ?? common, tools: selected[up]), recorded: recorded[up] ?? [])
        }
    }

    /// The names a server's API tools and the given upstream sources expose.
    static func claims(_ db: GatewayStore, server: ServerRecord, sources: [ServerUpstreamSource]) throws -> [UpstreamRules.Claim] {
        var claims: [UpstreamRules.Claim] = []
        let tools = try db.tools(serverId: server.id)
        if let first = tools.first {
            claims = UpstreamRules.apiClaims(
                api: first.apiName, tools: tools.map { (operation: $0.operation.operationId ?? $0.operation.key, name: $0.tool.name) })
        }
        for s in sources {
            claims += UpstreamRules.upstreamClaims(UpstreamRules.spec(of: s), recorded: try db.upstreamTools(upstream: s.upstreamName))
        }
        return claims
    }

    /// A server's upstream sources and the tools each exposes, with their status.
    static func exposedUpstreamTools(_ db: GatewayStore, server: String) throws -> [UpstreamSourceSummary] {
        try db.serverUpstreams(server: server).map { s in
            let recorded = try db.upstreamTools(upstream: s.upstreamName)
            let byName = Dictionary(recorded.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            let names = s.link.toolSelection ?? recorded.filter { $0.status != .removed }.map(\.name)
            let descriptions = s.link.descriptionMap
            return UpstreamSourceSummary(
                upstream: s.upstreamName, prefix: s.link.prefix, selection: s.link.toolSelection,
                tools: names.map { n in
                    UpstreamExposedTool(
                        name: s.link.exposedName(of: n), remote: n, status: byName[n]?.status.rawValue ?? "unseen",
                        descriptionOverride: descriptions[n])
                })
        }
    }
}
