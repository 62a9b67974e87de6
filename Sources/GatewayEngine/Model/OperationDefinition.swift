import Foundation

/// One REST operation of an imported API, compiled into everything the engine needs to expose it as an MCP tool
/// and to call the backend: stored as JSON in the store's `operation` table.
public struct OperationDefinition: Codable, Sendable, Equatable {
    /// `METHOD path`, unique within the API (for example `GET /pets/{petId}`).
    public var key: String
    /// The document's `operationId`, if any.
    public var operationId: String?
    /// Upper-case HTTP method.
    public var method: String
    /// The path template relative to the API's base URL, starting with `/` (for example `/pets/{petId}`).
    public var path: String
    /// The operation's summary, if any.
    public var summary: String?
    /// The default tool name: sanitised to `[A-Za-z0-9_.-]{1,128}` and unique within the API.
    public var toolName: String
    /// The tool description: summary and description joined, capped at 1,000 characters.
    public var description: String
    /// How each tool argument maps to a path, query, header or cookie parameter.
    var parameters: [ParameterBinding]
    /// How tool arguments map to the request body, if the operation has one.
    var body: BodyBinding?
    /// The tool's `inputSchema`: a JSON Schema object with every `$ref` inlined.
    public var inputSchema: JSONValue
    /// The tool's `outputSchema`, set only when a 2xx JSON response has an object schema the engine can honour.
    public var outputSchema: JSONValue?
    /// Annotations derived from the method.
    var annotations: ToolAnnotations
    /// Whether the document marks the operation deprecated.
    public var deprecated: Bool

    init(
        key: String, operationId: String?, method: String, path: String, summary: String?, toolName: String,
        description: String, parameters: [ParameterBinding], body: BodyBinding?, inputSchema: JSONValue,
        outputSchema: JSONValue?, annotations: ToolAnnotations, deprecated: Bool
    ) {
        self.key = key
        self.operationId = operationId
        self.method = method
        self.path = path
        self.summary = summary
        self.toolName = toolName
        self.description = description
        self.parameters = parameters
        self.body = body
        self.inputSchema = inputSchema
        self.outputSchema = outputSchema
        self.annotations = annotations
        self.deprecated = deprecated
    }
}

/// Where a parameter travels in the backend request.
enum ParameterLocation: String, Codable, Sendable, Equatable {
    case path, query, header, cookie
}

/// Binds one tool argument to one OpenAPI parameter.
struct ParameterBinding: Codable, Sendable, Equatable {
    /// The parameter's name on the wire.
    var name: String
    /// Where it goes.
    var location: ParameterLocation
    /// The property name in the tool's `inputSchema` (the wire name, unless two locations share it:
    /// then `<location>_<name>`).
    var argument: String
    /// Whether the document requires it (path parameters always are).
    var required: Bool
    /// OpenAPI serialisation style: `simple`, `label`, `matrix`, `form`, `spaceDelimited`, `pipeDelimited`, `deepObject`.
    var style: String
    /// OpenAPI `explode`.
    var explode: Bool
    /// OpenAPI `allowReserved` (query only).
    var allowReserved: Bool
    /// The parameter's content type when it uses `content` instead of `schema` (then the value is serialised as JSON).
    var contentType: String?

    init(
        name: String, location: ParameterLocation, argument: String, required: Bool, style: String, explode: Bool,
        allowReserved: Bool = false, contentType: String? = nil
    ) {
        self.name = name
        self.location = location
        self.argument = argument
        self.required = required
        self.style = style
        self.explode = explode
        self.allowReserved = allowReserved
        self.contentType = contentType
    }
}

/// Binds tool arguments to the request body.
struct BodyBinding: Codable, Sendable, Equatable {
    /// How the body's value is taken from the arguments.
    enum Mode: String, Codable, Sendable, Equatable {
        /// The body is an object whose properties are top-level tool arguments (listed in `properties`).
        case flattened
        /// The body is the single tool argument named `argument` (usually `body`).
        case whole
    }

    /// The request content type: `application/json` (or a `+json` type), `application/x-www-form-urlencoded`,
    /// `multipart/form-data`, `text/plain`, or `application/octet-stream`.
    var contentType: String
    /// Whether the document requires a body.
    var required: Bool
    /// Flattened or whole.
    var mode: Mode
    /// For `.flattened`: the body property names, which are also argument names.
    var properties: [String]
    /// For `.whole`: the argument that carries the body.
    var argument: String
    /// For form and multipart bodies: the media type's `encoding` object, by property name (nil when it has none).
    var encoding: [String: PropertyEncoding]?

    init(
        contentType: String, required: Bool, mode: Mode, properties: [String] = [], argument: String = "body",
        encoding: [String: PropertyEncoding]? = nil
    ) {
        self.contentType = contentType
        self.required = required
        self.mode = mode
        self.properties = properties
        self.argument = argument
        self.encoding = encoding
    }
}

/// How one property of a form or multipart body is serialised (OpenAPI's Encoding object).
public struct PropertyEncoding: Codable, Sendable, Equatable {
    /// `form` (the default), `spaceDelimited`, `pipeDelimited`, `deepObject` (and `tabDelimited` for Swagger `tsv`).
    public var style: String?
    /// OpenAPI `explode` (default: true for `form`).
    public var explode: Bool?
    /// OpenAPI `allowReserved`.
    public var allowReserved: Bool?
    /// The part's content type in a multipart body.
    public var contentType: String?

    public init(style: String? = nil, explode: Bool? = nil, allowReserved: Bool? = nil, contentType: String? = nil) {
        self.style = style
        self.explode = explode
        self.allowReserved = allowReserved
        self.contentType = contentType
    }
}

/// MCP tool annotations (hints; clients treat them as untrusted).
struct ToolAnnotations: Codable, Sendable, Equatable {
    var title: String?
    var readOnlyHint: Bool?
    var destructiveHint: Bool?
    var idempotentHint: Bool?
    var openWorldHint: Bool?

    init(
        title: String? = nil, readOnlyHint: Bool? = nil, destructiveHint: Bool? = nil, idempotentHint: Bool? = nil,
        openWorldHint: Bool? = nil
    ) {
        self.title = title
        self.readOnlyHint = readOnlyHint
        self.destructiveHint = destructiveHint
        self.idempotentHint = idempotentHint
        self.openWorldHint = openWorldHint
    }
}

/// What importing an OpenAPI document produced.
public struct ImportedAPI: Sendable, Equatable {
    /// `openapi-3.0`, `openapi-3.1` or `swagger-2.0`.
    public var format: String
    /// `info.title`.
    public var title: String
    /// `info.version`.
    public var version: String
    /// The backend base URL from `servers[0]` (variables substituted with their defaults; relative URLs resolved
    /// against the document's URL) or Swagger's `schemes`/`host`/`basePath`; nil when the document names none.
    public var baseURL: String?
    /// The operations, in document order.
    public var operations: [OperationDefinition]
    /// Everything the import found, in the order found (see ``ImportWarning``).
    public var diagnostics: [ImportWarning]
    /// The findings as text (`location: message`).
    public var warnings: [String] { diagnostics.map(\.description) }
    /// The document as imported by ``OpenAPIImporter/importLocal(path:options:)``, to keep with the API: the root
    /// file's text, or for a document that references other files the self-contained bundle (JSON). Nil for
    /// documents imported from bytes.
    public var documentText: String? = nil
    /// The files read besides the root document (their location names), for a multi-file document.
    public var referencedFiles: [String] = []

    init(
        format: String, title: String, version: String, baseURL: String?, operations: [OperationDefinition],
        diagnostics: [ImportWarning]
    ) {
        self.format = format
        self.title = title
        self.version = version
        self.baseURL = baseURL
        self.operations = operations
        self.diagnostics = diagnostics
    }
}
