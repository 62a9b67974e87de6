import Foundation
import Store

/// The registry as an MCP server of its own, at `/registry/mcp` (and `/registry/sse`): a built-in server in the
/// routing table, served by the same transports, sessions and policy stages as every other server, whose two tools
/// are answered in-process from the catalog with the caller's visibility.
enum RegistryMCP {
    static let basePath = "registry"
    static let serverName = "registry"

    /// The built-in server, compiled like any other.
    static func compiledServer() -> CompiledServer {
        let tools = [searchTool, getTool].map { def -> CompiledTool in
            let name = def["name"]?.stringValue ?? ""
            var legacy = def
            legacy["title"] = nil
            legacy["outputSchema"] = nil
            return CompiledTool(
                name: name, description: def["description"]?.stringValue ?? "", operation: nil, upstream: nil, apiName: "registry", baseURL: nil,
                allowPrivateNetwork: false, credential: nil, credentialOrigin: nil, listEntry: .object(def), legacyListEntry: .object(legacy))
        }
        return CompiledServer(
            name: serverName, basePath: basePath,
            description:
                "The Gatehouse registry: search the MCP servers you may use (served by this gateway or elsewhere) and get their server.json, endpoints, tools and health.",
            tools: tools, toolIndex: Dictionary(uniqueKeysWithValues: tools.enumerated().map { ($1.name, $0) }))
    }

    /// The registry's settings in its compiled policies: any valid subscription identifies (whichever servers it
    /// covers), a subscription may be required, and anonymous callers are refused unless reading is open to them
    /// (by default only on a loopback bind).
    static func settle(_ p: inout ServerPolicies, _ settings: RegistrySettingsRecord, loopbackBind: Bool) {
        p.anySubscription = true
        p.requireSubscription = settings.requireSubscription
        p.requireIdentity = !(settings.anonymousRead ?? loopbackBind)
    }

    static let readOnly: JSONValue = .object(["readOnlyHint": true, "destructiveHint": false, "idempotentHint": true, "openWorldHint": false])

    static let searchTool: JSONObject = [
        "name": "registry_search",
        "title": "Search the MCP server registry",
        "description":
            "Finds MCP servers you may use: those this gateway serves and those registered from elsewhere. Filter by a text query (name, title, description), tags, lifecycle, transport or kind. Returns names, descriptions, endpoints, tool counts and health; use registry_get for one server's full server.json.",
        "inputSchema": .object([
            "type": "object",
            "properties": .object([
                "query": .object(["type": "string", "description": "Substring of the name, title or description (case-insensitive)"]),
                "tags": .object(["type": "array", "items": .object(["type": "string"]), "description": "Every tag listed must be on the entry"]),
                "lifecycle": .object(["type": "string", "enum": .array(RegistryEntryRecord.Lifecycle.allCases.map { .string($0.rawValue) })]),
                "transport": .object([
                    "type": "string", "enum": ["streamable-http", "sse", "stdio"], "description": "How a client connects (stdio: run from a package)",
                ]),
                "kind": .object(["type": "string", "enum": ["gateway", "external"]]),
                "includeDeprecated": .object(["type": "boolean", "description": "Include deprecated entries (default true)"]),
                "limit": .object(["type": "integer", "minimum": 1, "maximum": 100, "description": "Results per page (default 30)"]),
                "cursor": .object(["type": "string", "description": "nextCursor of the previous page"]),
            ]),
            "additionalProperties": false,
        ]),
        "outputSchema": .object([
            "type": "object",
            "properties": .object([
                "servers": .object(["type": "array", "items": .object(["type": "object"])]),
                "nextCursor": .object(["type": "string"]),
            ]),
            "required": ["servers"],
        ]),
        "annotations": readOnly,
    ]

    static let getTool: JSONObject = [
        "name": "registry_get",
        "title": "Get one MCP server from the registry",
        "description":
            "Returns one registered MCP server: its server.json (remotes with the headers a client must send, packages), endpoints, tools, health (last probe, latency, history) and, for servers on this gateway, traffic over the last hour.",
        "inputSchema": .object([
            "type": "object",
            "properties": .object([
                "name": .object(["type": "string", "description": "The server's name (io.example.gw/pets) as registry_search returns it"]),
                "version": .object(["type": "string", "description": "A version, or latest (default)"]),
            ]),
            "required": ["name"],
            "additionalProperties": false,
        ]),
        "outputSchema": .object([
            "type": "object",
            "properties": .object([
                "server": .object(["type": "object"]), "registry": .object(["type": "object"]), "endpoints": .object(["type": "array"]),
                "tools": .object(["type": "array"]), "health": .object(["type": "object"]),
            ]),
            "required": ["server", "registry"],
        ]),
        "annotations": readOnly,
    ]
}
