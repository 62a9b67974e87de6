import ArgumentParser
import ConsoleUI
import Foundation
import GatewayEngine
import Store

struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server", abstract: "Manage the gateway's MCP servers.",
        subcommands: [
            Create.self, List.self, Show.self, Tools.self, Set.self, AddUpstream.self, RemoveUpstream.self, RenameTool.self, Enable.self, Disable.self,
            Delete.self,
        ])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an MCP server whose tools come from an API's operations, upstream MCP servers, or both.",
            discussion: """
                gatehouse server create NAME [--api API [--operations a,b | --all]] [--upstream UP]... [--tools LIST] [--prefix P | --prefix UP=P]... \
                [--base-path P] [--description D] [--require-subscription]
                At least one of --api and --upstream. An upstream whose tools were never listed is connected to first. --tools entries \
                are UP/tool, or a tool name only one of the upstreams lists; an upstream no entry names exposes every tool. \
                Two sources exposing the same name are refused: --prefix tells them apart.
                """)
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        @Option(name: .long, help: "The API the tools come from.") var api: String?
        @Option(name: .long, help: "Comma-separated operationIds (or 'METHOD /path' keys).") var operations: String?
        @Flag(name: .long, help: "Expose every operation (the default when --operations is absent).") var all = false
        @Option(name: .customLong("upstream"), help: "An upstream MCP server whose tools are exposed (repeatable).") var upstreams: [String] = []
        @Option(name: .long, help: "Upstream tools to expose: UP/tool or tool, comma-separated (repeatable).") var tools: [String] = []
        @Option(name: .long, help: "A prefix for every upstream's tool names (P), or for one upstream's (UP=P) (repeatable).") var prefix: [String] = []
        @Option(name: .long, help: "URL prefix (default: the name): serves /<base-path>/mcp and /<base-path>/sse.") var basePath: String?
        @Option(name: .long, help: "Description, sent to clients as instructions.") var description = ""
        @Flag(name: .long, help: "Every request must carry a valid Gatehouse-Subscription-Key.") var requireSubscription = false

        func validate() throws {
            if all && operations != nil { throw ValidationError("use either --operations or --all, not both") }
            if api == nil && upstreams.isEmpty { throw ValidationError("give --api, --upstream, or both") }
            if api == nil && (operations != nil || all) { throw ValidationError("--operations and --all need --api") }
            if upstreams.isEmpty && (!tools.isEmpty || !prefix.isEmpty) { throw ValidationError("--tools and --prefix need --upstream") }
            if let dup = Dictionary(grouping: upstreams, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
                throw ValidationError("--upstream \(dup) is given twice")
            }
        }

        func run() async throws {
            try await runReportingErrors {
                let db = try store.open()
                if (try? db.server(named: name)) != nil { throw GatewayError(.conflict, "a server named '\(name)' already exists") }
                let selection = operations.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
                var claims: [UpstreamRules.Claim] = []
                if let api {
                    let ops = try db.operations(apiId: try db.api(named: api).id!)
                    var chosen = ops
                    if let selection {
                        chosen = []
                        for w in selection {
                            if let op = ops.first(where: { $0.operationId == w || $0.key == w || $0.toolName == w }), !chosen.contains(where: { $0.id == op.id }) {
                                chosen.append(op)
                            }
                        }
                    }
                    claims = UpstreamRules.apiClaims(api: api, tools: chosen.map { (operation: $0.operationId ?? $0.key, name: $0.toolName) })
                }
                let plan = try await ServerCommand.planSources(db, upstreams: upstreams, tools: tools, prefixes: prefix)
                for p in plan { claims += UpstreamRules.upstreamClaims(p.spec, recorded: p.recorded) }
                if let collision = UpstreamRules.firstCollision(claims) {
                    throw GatewayError(.conflict, UpstreamRules.collisionMessage(collision, hint: ServerCommand.prefixHint))
                }
                // The server, its API tools and its upstream sources are written in one transaction.
                let server = try db.createServer(
                    name: name, description: description, basePath: basePath ?? name, apiName: api, operations: api == nil ? nil : selection,
                    upstreams: plan.map(\.spec), requireSubscription: requireSubscription)
                let apiTools = try db.tools(serverId: server.id!).count
                let upstreamTools = plan.map { UpstreamRules.upstreamClaims($0.spec, recorded: $0.recorded).count }.reduce(0, +)
                var parts: [String] = []
                if let api { parts.append("\(apiTools) from API '\(api)'") }
                if !plan.isEmpty { parts.append("\(upstreamTools) from upstream\(plan.count == 1 ? "" : "s") \(upstreams.joined(separator: ", "))") }
                print("created server '\(name)' with \(apiTools + upstreamTools) tools (\(parts.joined(separator: ", ")))")
                print("  Streamable HTTP: /\(server.basePath)/mcp")
                print("  SSE (legacy):    /\(server.basePath)/sse")
                let held = plan.flatMap { p in p.recorded.filter { $0.status == .pending && (p.spec.tools?.contains($0.name) ?? true) }.map { "\(p.spec.upstream)/\($0.name)" } }
                if !held.isEmpty { print("held back until approved: \(held.joined(separator: ", ")) (gatehouse upstream approve UP --tool TOOL)") }
            }
        }
    }

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
                guard var plan = try await ServerCommand.planSources(db, upstreams: [upstream], tools: tools, prefixes: prefix.map { [$0] } ?? []).first else { return }
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
                    throw GatewayError(.invalidArgument, "upstream '\(upstream)' is the only source of server '\(name)'; add another first, or delete the server (gatehouse server delete \(name))")
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
                    throw GatewayError(.notFound, "server '\(name)' does not use upstream '\(upstream)' (it uses: \(sources.isEmpty ? "none" : sources.map(\.upstreamName).joined(separator: ", ")))")
                }
                let recorded = try db.upstreamTools(upstream: upstream)
                var spec = UpstreamRules.spec(of: source)
                let available = spec.tools ?? recorded.filter { $0.status != .removed }.map(\.name)
                guard available.contains(tool) else {
                    throw GatewayError(
                        .notFound, "server '\(name)' exposes no tool '\(tool)' of upstream '\(upstream)' (tools: \(available.isEmpty ? "none recorded yet; gatehouse upstream test \(upstream)" : available.joined(separator: ", ")))")
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
                let link = ServerUpstreamRecord(serverId: 0, upstreamId: 0, prefix: spec.prefix, renames: spec.renames)
                print("tool '\(tool)' of upstream '\(upstream)' is '\(link.exposedName(of: tool))' on server '\(name)'\(spec.descriptions[tool] != nil ? " (description overridden)" : "")")
            }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a server's settings.")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        @Option(name: .long, help: "true: every request must carry a valid Gatehouse-Subscription-Key; false: keys are optional.")
        var requireSubscription: Bool?
        @Option(name: .long, help: "New description.") var description: String?

        func validate() throws {
            if requireSubscription == nil && description == nil { throw ValidationError("nothing to change: give --require-subscription or --description") }
        }

        func run() async throws {
            try await runReportingErrors {
                let db = try store.open()
                if let description { _ = try db.updateServer(named: name, description: description) }
                if let requireSubscription {
                    try db.setServerRequiresSubscription(named: name, requireSubscription)
                    print("server '\(name)' \(requireSubscription ? "requires" : "does not require") a subscription key")
                }
                if description != nil { print("updated description of '\(name)'") }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List MCP servers.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runReportingErrors {
                let db = try store.open()
                let servers = try db.servers()
                let rows = try servers.map { s in
                    let upstreams = try ServerCommand.exposedUpstreamTools(db, server: s.name)
                    return (s, try db.tools(serverId: s.id!).count + upstreams.flatMap(\.tools).count, try s.apiId.flatMap { try db.api(id: $0)?.name }, upstreams.map(\.upstream))
                }
                if output.json {
                    try printJSON(rows.map { ServerSummary($0.0, tools: $0.1, api: $0.2, upstreams: $0.3) })
                } else {
                    printTable(
                        ["NAME", "STATUS", "TOOLS", "API", "UPSTREAMS", "ENDPOINT"],
                        rows.map {
                            [$0.0.name, $0.0.enabled ? "enabled" : "disabled", String($0.1), $0.2 ?? "-", $0.3.isEmpty ? "-" : $0.3.joined(separator: ","),
                             "/\($0.0.basePath)/mcp"]
                        })
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a server and its endpoints.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument var name: String

        func run() async throws {
            try await runReportingErrors {
                let db = try store.open()
                let s = try db.server(named: name)
                let tools = try db.tools(serverId: s.id!)
                let api = try s.apiId.flatMap { try db.api(id: $0)?.name }
                let upstreams = try ServerCommand.exposedUpstreamTools(db, server: name)
                let upstreamCount = upstreams.flatMap(\.tools).count
                if output.json {
                    try printJSON(
                        ServerDetail(
                            server: ServerSummary(s, tools: tools.count + upstreamCount, api: api, upstreams: upstreams.map(\.upstream)),
                            tools: tools.map(ToolSummary.init), upstreams: upstreams))
                } else {
                    print("Server:      \(s.name)")
                    print("Status:      \(s.enabled ? "enabled" : "disabled")")
                    print("API:         \(api ?? "-")\(s.allOperations ? " (all operations)" : "")")
                    print("Upstreams:   \(upstreams.isEmpty ? "-" : upstreams.map { $0.upstream + ($0.prefix.map { " (prefix \($0))" } ?? "") }.joined(separator: ", "))")
                    print("Description: \(s.description.isEmpty ? "-" : s.description)")
                    print("Streamable:  http://HOST:PORT/\(s.basePath)/mcp")
                    print("SSE:         http://HOST:PORT/\(s.basePath)/sse")
                    print("Tools:       \(tools.count + upstreamCount) (\(tools.filter { $0.tool.enabled }.count + upstreams.flatMap(\.tools).filter { $0.status == "approved" }.count) served)")
                    if !upstreams.isEmpty {
                        print("")
                        printTable(
                            ["UPSTREAM", "TOOL", "EXPOSED AS", "STATUS", "DESCRIPTION"],
                            upstreams.flatMap { u in
                                u.tools.map { t in
                                    [u.upstream, SafeText.escape(t.remote), SafeText.escape(t.name), t.status, t.descriptionOverride == nil ? "-" : "(overridden)"]
                                }
                            })
                    }
                }
            }
        }
    }

    struct Tools: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a server's tools.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument var name: String

        func run() async throws {
            try await runReportingErrors {
                let db = try store.open()
                let tools = try db.tools(serverId: try db.server(named: name).id!)
                let upstreams = try ServerCommand.exposedUpstreamTools(db, server: name)
                if output.json {
                    try printJSON(tools.map(ToolSummary.init) + upstreams.flatMap { u in u.tools.map { ToolSummary($0, upstream: u.upstream) } })
                } else {
                    printTable(
                        ["TOOL", "STATUS", "METHOD", "PATH", "API"],
                        tools.map { [$0.tool.name, $0.tool.enabled ? "enabled" : "disabled", $0.operation.method, $0.operation.path, $0.apiName] }
                            + upstreams.flatMap { u in u.tools.map { [SafeText.escape($0.name), $0.status, "MCP", SafeText.escape($0.remote), "upstream:\(u.upstream)"] } })
                }
            }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a server.")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        func run() async throws {
            try await runReportingErrors {
                _ = try store.open().updateServer(named: name, enabled: true)
                print("enabled server '\(name)'")
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a server (its endpoints answer 404).")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        func run() async throws {
            try await runReportingErrors {
                _ = try store.open().updateServer(named: name, enabled: false)
                print("disabled server '\(name)'")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a server and its tools.")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        func run() async throws {
            try await runReportingErrors {
                try store.open().deleteServer(named: name)
                print("deleted server '\(name)'")
            }
        }
    }
}

struct ServerSummary: Encodable {
    var name, basePath, description: String
    var enabled: Bool
    var api: String?
    var upstreams: [String]
    var tools: Int
    var endpoints: [String: String]
    init(_ s: ServerRecord, tools: Int, api: String?, upstreams: [String] = []) {
        name = s.name
        basePath = s.basePath
        description = s.description
        enabled = s.enabled
        self.api = api
        self.upstreams = upstreams
        self.tools = tools
        endpoints = ["streamableHttp": "/\(s.basePath)/mcp", "sse": "/\(s.basePath)/sse"]
    }
}

struct ToolSummary: Encodable {
    var name, method, path, api, operation: String
    var enabled: Bool
    var descriptionOverride: String?
    /// Upstream tools: the upstream, the tool's name there, and its approval status.
    var upstream, remote, status: String?
    init(_ t: UpstreamExposedTool, upstream: String) {
        name = t.name
        method = "MCP"
        path = ""
        api = ""
        operation = ""
        enabled = t.status == "approved"
        descriptionOverride = t.descriptionOverride
        self.upstream = upstream
        remote = t.remote
        status = t.status
    }
    init(_ t: ToolWithOperation) {
        name = t.tool.name
        method = t.operation.method
        path = t.operation.path
        api = t.apiName
        operation = t.operation.operationId ?? t.operation.key
        enabled = t.tool.enabled
        descriptionOverride = t.tool.descriptionOverride
    }
}

struct ServerDetail: Encodable {
    var server: ServerSummary
    var tools: [ToolSummary]
    var upstreams: [UpstreamSourceSummary]
}

/// One upstream tool as a server exposes it.
struct UpstreamExposedTool: Encodable {
    /// The name clients see.
    var name: String
    /// The name at the upstream.
    var remote: String
    /// approved (served), pending (held back until approved), removed (no longer listed), or unseen (selected but
    /// not listed by the upstream yet).
    var status: String
    var descriptionOverride: String?
}

/// One upstream source of a server.
struct UpstreamSourceSummary: Encodable {
    var upstream: String
    var prefix: String?
    /// The selection; nil = every tool.
    var selection: [String]?
    var tools: [UpstreamExposedTool]
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
                    throw GatewayError(.fetchFailed, "cannot list the tools of upstream '\(up)': \(error.message) (check it with gatehouse upstream test \(up))")
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
                    throw GatewayError(.invalidArgument, "--prefix \(p): '\(up)' is not one of the --upstream sources (\(upstreams.joined(separator: ", ")))")
                }
                if let problem = UpstreamRules.prefixProblem(value) { throw GatewayError(.invalidArgument, "--prefix: \(problem)") }
                guard own.updateValue(value, forKey: up) == nil else { throw GatewayError(.invalidArgument, "--prefix for '\(up)' is given twice") }
            } else {
                if let problem = UpstreamRules.prefixProblem(p) { throw GatewayError(.invalidArgument, "--prefix: \(problem)") }
                guard common == nil else { throw GatewayError(.invalidArgument, "--prefix P (for every upstream) is given twice; use UP=P for one upstream") }
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
                    throw GatewayError(.notFound, "upstream '\(up)' lists no tool '\(tool)' (tools: \(names.isEmpty ? "none" : names.joined(separator: ", ")))")
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
                        "no upstream among \(upstreams.joined(separator: ", ")) lists a tool '\(entry)' (tools: \(all.isEmpty ? "none" : all.prefix(30).joined(separator: ", "))\(all.count > 30 ? ", …" : ""))")
                default:
                    throw GatewayError(
                        .conflict, "tool '\(entry)' is listed by several upstreams: \(owners.map { "\($0)/\(entry)" }.joined(separator: ", ")); write UP/\(entry)")
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
        let tools = try db.tools(serverId: server.id!)
        if let first = tools.first {
            claims = UpstreamRules.apiClaims(api: first.apiName, tools: tools.map { (operation: $0.operation.operationId ?? $0.operation.key, name: $0.tool.name) })
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
                    UpstreamExposedTool(name: s.link.exposedName(of: n), remote: n, status: byName[n]?.status.rawValue ?? "unseen", descriptionOverride: descriptions[n])
                })
        }
    }
}
