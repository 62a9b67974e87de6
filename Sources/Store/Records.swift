import Foundation
import GRDB

/// An imported REST API: its document and where its backend lives.
public struct APIFields: StoredFields {
    public static let databaseTableName = "api"
    /// Unique name chosen by the admin.
    public var name: String
    /// `info.title` of the document.
    public var title: String
    /// `info.version` of the document.
    public var version: String
    /// `openapi-3.0`, `openapi-3.1` or `swagger-2.0`.
    public var format: String
    /// Where the document came from: a file path or URL, as given.
    public var source: String
    /// The document text as imported.
    public var document: String
    /// The backend base URL in use (the override when one was given, else the document's).
    public var baseUrl: String?
    /// Whether `baseUrl` was set by the admin rather than taken from the document.
    public var baseUrlOverridden: Bool
    /// Whether the backend may be on loopback or a private network.
    public var allowPrivateNetwork: Bool
    /// The credential connection injected into every backend call, if any.
    public var credential: String? = nil
    /// The origin (`scheme://host:port`) the credential was attached for; it is never sent elsewhere.
    public var credentialOrigin: String? = nil
    /// What the import found: a JSON array of `{location, message, kind}` (owned by the engine).
    public var warnings: String? = nil
    /// Whether the API was imported with `--strict` (all-or-nothing).
    public var strictImport: Bool = false
    /// Whether tool names may be up to 128 characters instead of 64.
    public var keepLongNames: Bool = false
    /// How answers are checked against output schemas: `strict`, `tolerant` (nil means tolerant) or `off`.
    public var outputSchemaMode: String? = nil
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        name: String, title: String, version: String, format: String, source: String, document: String,
        baseUrl: String?, baseUrlOverridden: Bool, allowPrivateNetwork: Bool, createdAt: Date = Date(), updatedAt: Date = Date()
    ) {
        self.name = name
        self.title = title
        self.version = version
        self.format = format
        self.source = source
        self.document = document
        self.baseUrl = baseUrl
        self.baseUrlOverridden = baseUrlOverridden
        self.allowPrivateNetwork = allowPrivateNetwork
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// An API as stored: its id and its fields (``APIFields``).
public typealias APIRecord = Stored<APIFields>

/// One operation of an API, with its compiled definition (opaque JSON owned by the engine).
public struct OperationFields: StoredFields {
    public static let databaseTableName = "operation"
    public var apiId: Int64
    /// `METHOD /path`, unique within the API.
    public var key: String
    /// The `operationId`, if the document has one.
    public var operationId: String?
    /// The default tool name.
    public var toolName: String
    public var method: String
    public var path: String
    public var summary: String?
    /// The engine's compiled definition, as JSON text.
    public var definition: String
    /// Order in the document.
    public var position: Int

    public init(
        apiId: Int64, key: String, operationId: String?, toolName: String, method: String, path: String,
        summary: String?, definition: String, position: Int
    ) {
        self.apiId = apiId
        self.key = key
        self.operationId = operationId
        self.toolName = toolName
        self.method = method
        self.path = path
        self.summary = summary
        self.definition = definition
        self.position = position
    }
}

/// An operation as stored: its id and its fields (``OperationFields``).
public typealias OperationRecord = Stored<OperationFields>

/// An MCP server exposed by the gateway.
public struct ServerFields: StoredFields {
    public static let databaseTableName = "server"
    /// Unique name.
    public var name: String
    public var description: String
    /// Unique URL prefix without slashes at either end (`pets` serves `/pets/mcp` and `/pets/sse`).
    public var basePath: String
    public var enabled: Bool
    /// The API the server's tools come from (nil for servers with no API source).
    public var apiId: Int64?
    /// Whether the server exposes every operation of its API (new operations join on re-import).
    public var allOperations: Bool
    /// Whether every request must present a valid subscription key.
    public var requireSubscription: Bool = false
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        name: String, description: String = "", basePath: String, enabled: Bool = true, apiId: Int64?,
        allOperations: Bool, requireSubscription: Bool = false, createdAt: Date = Date(), updatedAt: Date = Date()
    ) {
        self.requireSubscription = requireSubscription
        self.name = name
        self.description = description
        self.basePath = basePath
        self.enabled = enabled
        self.apiId = apiId
        self.allOperations = allOperations
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A server as stored: its id and its fields (``ServerFields``).
public typealias ServerRecord = Stored<ServerFields>

/// A tool of a server: one operation, under a name unique in the server.
public struct ToolFields: StoredFields {
    public static let databaseTableName = "tool"
    public var serverId: Int64
    public var operationId: Int64
    /// The tool name clients see.
    public var name: String
    /// Replaces the operation's description when set.
    public var descriptionOverride: String?
    public var enabled: Bool
    public var position: Int
    /// Overrides the API's output-schema mode (`strict`, `tolerant`, `off`) for this tool; nil inherits it.
    public var outputSchemaMode: String? = nil

    public init(
        serverId: Int64, operationId: Int64, name: String, descriptionOverride: String? = nil,
        enabled: Bool = true, position: Int
    ) {
        self.serverId = serverId
        self.operationId = operationId
        self.name = name
        self.descriptionOverride = descriptionOverride
        self.enabled = enabled
        self.position = position
    }
}

/// A tool as stored: its id and its fields (``ToolFields``).
public typealias ToolRecord = Stored<ToolFields>
