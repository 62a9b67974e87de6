import ArgumentParser
import ConsoleUI
import Foundation
import GatewayEngine
import Store

struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server", abstract: "Manage the gateway's MCP servers.",
        subcommands: [
            Create.self, List.self, Show.self, Tools.self, Set.self, AddUpstream.self, RemoveUpstream.self, RenameTool.self, Enable.self,
            Disable.self,
            Delete.self, ServerToolOutputSchema.self,
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
        @Option(name: .long, help: "A prefix for every upstream's tool names (P), or for one upstream's (UP=P) (repeatable).") var prefix: [String] =
            []
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
                    let ops = try db.operations(apiId: try db.api(named: api).id)
                    var chosen = ops
                    if let selection {
                        chosen = []
                        for w in selection {
                            if let op = ops.first(where: { $0.operationId == w || $0.key == w || $0.toolName == w }),
                                !chosen.contains(where: { $0.id == op.id })
                            {
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
                let apiTools = try db.tools(serverId: server.id).count
                let upstreamTools = plan.map { UpstreamRules.upstreamClaims($0.spec, recorded: $0.recorded).count }.reduce(0, +)
                var parts: [String] = []
                if let api { parts.append("\(apiTools) from API '\(api)'") }
                if !plan.isEmpty { parts.append("\(upstreamTools) from upstream\(plan.count == 1 ? "" : "s") \(upstreams.joined(separator: ", "))") }
                print("created server '\(name)' with \(apiTools + upstreamTools) tools (\(parts.joined(separator: ", ")))")
                print("  Streamable HTTP: /\(server.basePath)/mcp")
                print("  SSE (legacy):    /\(server.basePath)/sse")
                let held = plan.flatMap { p in
                    p.recorded.filter { $0.status == .pending && (p.spec.tools?.contains($0.name) ?? true) }.map { "\(p.spec.upstream)/\($0.name)" }
                }
                if !held.isEmpty { print("held back until approved: \(held.joined(separator: ", ")) (gatehouse upstream approve UP --tool TOOL)") }
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
            if requireSubscription == nil && description == nil {
                throw ValidationError("nothing to change: give --require-subscription or --description")
            }
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
                let db = try store.open(reading: true)
                let servers = try db.servers()
                let rows = try servers.map { s in
                    let upstreams = try ServerCommand.exposedUpstreamTools(db, server: s.name)
                    return (
                        s, try db.tools(serverId: s.id).count + upstreams.flatMap(\.tools).count, try s.apiId.flatMap { try db.api(id: $0)?.name },
                        upstreams.map(\.upstream)
                    )
                }
                if output.json {
                    try printJSON(rows.map { ServerSummary($0.0, tools: $0.1, api: $0.2, upstreams: $0.3) })
                } else {
                    printTable(
                        ["NAME", "STATUS", "TOOLS", "API", "UPSTREAMS", "ENDPOINT"],
                        rows.map {
                            [
                                $0.0.name, $0.0.enabled ? "enabled" : "disabled", String($0.1), $0.2 ?? "-",
                                $0.3.isEmpty ? "-" : $0.3.joined(separator: ","),
                                "/\($0.0.basePath)/mcp",
                            ]
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
                let db = try store.open(reading: true)
                let s = try db.server(named: name)
                let tools = try db.tools(serverId: s.id)
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
                    print(
                        "Upstreams:   \(upstreams.isEmpty ? "-" : upstreams.map { $0.upstream + ($0.prefix.map { " (prefix \($0))" } ?? "") }.joined(separator: ", "))"
                    )
                    print("Description: \(s.description.isEmpty ? "-" : s.description)")
                    print("Streamable:  http://HOST:PORT/\(s.basePath)/mcp")
                    print("SSE:         http://HOST:PORT/\(s.basePath)/sse")
                    print(
                        "Tools:       \(tools.count + upstreamCount) (\(tools.filter { $0.tool.enabled }.count + upstreams.flatMap(\.tools).filter { $0.status == "approved" }.count) served)"
                    )
                    if !upstreams.isEmpty {
                        print("")
                        printTable(
                            ["UPSTREAM", "TOOL", "EXPOSED AS", "STATUS", "DESCRIPTION"],
                            upstreams.flatMap { u in
                                u.tools.map { t in
                                    [
                                        u.upstream, SafeText.escape(t.remote), SafeText.escape(t.name), t.status,
                                        t.descriptionOverride == nil ? "-" : "(overridden)",
                                    ]
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
                let tools = try db.tools(serverId: try db.server(named: name).id)
                let upstreams = try ServerCommand.exposedUpstreamTools(db, server: name)
                if output.json {
                    try printJSON(tools.map(ToolSummary.init) + upstreams.flatMap { u in u.tools.map { ToolSummary($0, upstream: u.upstream) } })
                } else {
                    printTable(
                        ["TOOL", "STATUS", "METHOD", "PATH", "API"],
                        tools.map { [$0.tool.name, $0.tool.enabled ? "enabled" : "disabled", $0.operation.method, $0.operation.path, $0.apiName] }
                            + upstreams.flatMap { u in
                                u.tools.map { [SafeText.escape($0.name), $0.status, "MCP", SafeText.escape($0.remote), "upstream:\(u.upstream)"] }
                            })
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
