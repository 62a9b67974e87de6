import ArgumentParser
import Foundation
import GatewayEngine
import Store

struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server", abstract: "Manage the gateway's MCP servers.",
        subcommands: [Create.self, List.self, Show.self, Tools.self, Set.self, Enable.self, Disable.self, Delete.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an MCP server whose tools are operations of an API.")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        @Option(name: .long, help: "The API the tools come from.") var api: String
        @Option(name: .long, help: "Comma-separated operationIds (or 'METHOD /path' keys).") var operations: String?
        @Flag(name: .long, help: "Expose every operation (the default when --operations is absent).") var all = false
        @Option(name: .long, help: "URL prefix (default: the name): serves /<base-path>/mcp and /<base-path>/sse.") var basePath: String?
        @Option(name: .long, help: "Description, sent to clients as instructions.") var description = ""
        @Flag(name: .long, help: "Every request must carry a valid Gatehouse-Subscription-Key.") var requireSubscription = false

        func validate() throws {
            if all && operations != nil { throw ValidationError("use either --operations or --all, not both") }
        }

        func run() async throws {
            try await runReportingErrors {
                let db = try store.open()
                let selection = operations.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
                var server = try db.createServer(name: name, description: description, basePath: basePath ?? name, apiName: api, operations: selection)
                if requireSubscription { server = try db.setServerRequiresSubscription(named: name, true) }
                let tools = try db.tools(serverId: server.id!)
                print("created server '\(name)' with \(tools.count) tools")
                print("  Streamable HTTP: /\(server.basePath)/mcp")
                print("  SSE (legacy):    /\(server.basePath)/sse")
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
                let rows = try servers.map { s in (s, try db.tools(serverId: s.id!).count, try s.apiId.flatMap { try db.api(id: $0)?.name }) }
                if output.json {
                    try printJSON(rows.map { ServerSummary($0.0, tools: $0.1, api: $0.2) })
                } else {
                    printTable(
                        ["NAME", "STATUS", "TOOLS", "API", "ENDPOINT"],
                        rows.map { [$0.0.name, $0.0.enabled ? "enabled" : "disabled", String($0.1), $0.2 ?? "-", "/\($0.0.basePath)/mcp"] })
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
                if output.json {
                    try printJSON(ServerDetail(server: ServerSummary(s, tools: tools.count, api: api), tools: tools.map(ToolSummary.init)))
                } else {
                    print("Server:      \(s.name)")
                    print("Status:      \(s.enabled ? "enabled" : "disabled")")
                    print("API:         \(api ?? "-")\(s.allOperations ? " (all operations)" : "")")
                    print("Description: \(s.description.isEmpty ? "-" : s.description)")
                    print("Streamable:  http://HOST:PORT/\(s.basePath)/mcp")
                    print("SSE:         http://HOST:PORT/\(s.basePath)/sse")
                    print("Tools:       \(tools.count) (\(tools.filter { $0.tool.enabled }.count) enabled)")
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
                if output.json {
                    try printJSON(tools.map(ToolSummary.init))
                } else {
                    printTable(["TOOL", "STATUS", "METHOD", "PATH", "API"], tools.map { [$0.tool.name, $0.tool.enabled ? "enabled" : "disabled", $0.operation.method, $0.operation.path, $0.apiName] })
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
    var tools: Int
    var endpoints: [String: String]
    init(_ s: ServerRecord, tools: Int, api: String?) {
        name = s.name
        basePath = s.basePath
        description = s.description
        enabled = s.enabled
        self.api = api
        self.tools = tools
        endpoints = ["streamableHttp": "/\(s.basePath)/mcp", "sse": "/\(s.basePath)/sse"]
    }
}

struct ToolSummary: Encodable {
    var name, method, path, api, operation: String
    var enabled: Bool
    var descriptionOverride: String?
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
}
