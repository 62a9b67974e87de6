import Foundation
import Store

/// Where an upstream tool comes from: the upstream and the tool's name there.
struct UpstreamToolBinding: Sendable, Equatable {
    var upstream: String
    var remoteName: String
}

/// An upstream as a source of a server: the prefix its tool and prompt names get.
struct CompiledUpstreamSource: Sendable, Equatable {
    var upstream: String
    var prefix: String
}

/// A tool ready to serve: its definition, where its backend (REST operation or upstream MCP server) is, and its
/// precomputed `tools/list` entries.
struct CompiledTool: Sendable {
    var name: String
    var description: String
    /// The REST operation (nil for an upstream tool).
    var operation: OperationDefinition?
    /// The upstream tool (nil for a REST operation).
    var upstream: UpstreamToolBinding? = nil
    var apiName: String
    /// The backend base URL, or nil when the API has none (calls then fail with a clear tool error).
    var baseURL: String?
    var allowPrivateNetwork: Bool
    /// The credential connection injected into backend calls, and the origin it is bound to.
    var credential: String?
    var credentialOrigin: String?
    /// The `tools/list` entry for revisions with structured output (2025-06-18 and later).
    var listEntry: JSONValue
    /// The `tools/list` entry for older revisions (no `title`, no `outputSchema`).
    var legacyListEntry: JSONValue
}

/// A server ready to serve.
struct CompiledServer: Sendable {
    var name: String
    var basePath: String
    var description: String
    var tools: [CompiledTool]
    var toolIndex: [String: Int]
    /// Upstream sources, in order.
    var upstreams: [CompiledUpstreamSource] = []
    /// Upstream tools held back until an admin approves their changed definition: exposed name → reason.
    var heldBack: [String: String] = [:]

    /// Whether any of the server's tools, resources or prompts come from upstream MCP servers.
    var hasUpstreams: Bool { !upstreams.isEmpty }

    /// The tool of that name.
    func tool(named name: String) -> CompiledTool? { toolIndex[name].map { tools[$0] } }
}

/// What the engine serves, keyed by base path. Immutable; replaced whole on reload.
struct RoutingTable: Sendable {
    var revision: Int64
    var servers: [String: CompiledServer]
    /// Policies by server base path.
    var policies: [String: ServerPolicies] = [:]
    /// Subscriptions by key hash.
    var subscriptions: [String: CompiledSubscription] = [:]

    init(revision: Int64 = -1, servers: [String: CompiledServer] = [:]) {
        self.revision = revision
        self.servers = servers
    }

    /// Compiles a store snapshot. Tools whose stored definition cannot be read are skipped and reported.
    static func compile(_ snapshot: ConfigSnapshot, problems: inout [String]) -> RoutingTable {
        compile(snapshot, policyCompiler: nil, problems: &problems)
    }

    /// Compiles a store snapshot with its policies, and the engine's built-in servers (the registry's).
    static func compile(_ snapshot: ConfigSnapshot, policyCompiler: PolicyCompiler?, builtins: [CompiledServer] = [], problems: inout [String])
        -> RoutingTable
    {
        var servers: [String: CompiledServer] = [:]
        for s in snapshot.servers {
            var tools: [CompiledTool] = []
            var index: [String: Int] = [:]
            for t in s.tools {
                var op: OperationDefinition
                do {
                    op = try OperationDefinition.fromStored(t.operation.definition)
                } catch {
                    problems.append("server '\(s.record.name)': tool '\(t.tool.name)' has an unreadable definition: \(error)")
                    continue
                }
                let api = snapshot.apis[t.operation.apiId]
                let description = t.tool.descriptionOverride ?? op.description
                op.outputSchema = OutputSchemaPolicy.declared(
                    op.outputSchema, mode: OutputSchemaMode.effective(tool: t.tool.outputSchemaMode, api: api?.outputSchemaMode))
                let (entry, legacy) = listEntries(name: t.tool.name, description: description, op: op)
                index[t.tool.name] = tools.count
                tools.append(
                    CompiledTool(
                        name: t.tool.name, description: description, operation: op, apiName: api?.name ?? t.apiName,
                        baseURL: api?.baseUrl, allowPrivateNetwork: api?.allowPrivateNetwork ?? false, credential: api?.credential,
                        credentialOrigin: api?.credentialOrigin, listEntry: entry,
                        legacyListEntry: legacy))
            }
            var server = CompiledServer(
                name: s.record.name, basePath: s.record.basePath, description: s.record.description, tools: tools, toolIndex: index)
            compileUpstreams(s, snapshot: snapshot, into: &server, problems: &problems)
            servers[s.record.basePath] = server
        }
        for b in builtins {
            if let taken = servers[b.basePath] { problems.append("server '\(taken.name)': base path '\(b.basePath)' is reserved; it is not served") }
            servers[b.basePath] = b
        }
        var table = RoutingTable(revision: snapshot.revision, servers: servers)
        if let policyCompiler {
            let targets = servers.values.map { PolicyTarget(name: $0.name, basePath: $0.basePath, tools: $0.tools.map(\.name)) }
            (table.policies, table.subscriptions) = policyCompiler.compile(snapshot, servers: targets, problems: &problems)
        }
        return table
    }

    static func listEntries(name: String, description: String, op: OperationDefinition) -> (JSONValue, JSONValue) {
        var annotations = JSONObject()
        if let t = op.annotations.title { annotations["title"] = .string(t) }
        if let v = op.annotations.readOnlyHint { annotations["readOnlyHint"] = .bool(v) }
        if let v = op.annotations.destructiveHint { annotations["destructiveHint"] = .bool(v) }
        if let v = op.annotations.idempotentHint { annotations["idempotentHint"] = .bool(v) }
        annotations["openWorldHint"] = .bool(op.annotations.openWorldHint ?? true)
        var legacy: JSONObject = ["name": .string(name), "description": .string(description), "inputSchema": op.inputSchema]
        legacy["annotations"] = .object(annotations)
        var full = JSONObject()
        full["name"] = .string(name)
        if let title = op.summary ?? op.annotations.title, !title.isEmpty { full["title"] = .string(String(title.prefix(200))) }
        full["description"] = .string(description)
        full["inputSchema"] = op.inputSchema
        if let out = op.outputSchema { full["outputSchema"] = out }
        full["annotations"] = .object(annotations)
        if let operationId = op.operationId, operationId != name {
            // A shortened or renamed tool keeps its operation's full id where clients can see it.
            full["_meta"] = .object(["gatehouse/operationId": .string(operationId)])
            legacy["_meta"] = full["_meta"]
        }
        return (.object(full), .object(legacy))
    }
}
