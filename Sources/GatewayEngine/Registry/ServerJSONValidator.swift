import Foundation

/// Validates a `server.json` against the MCP Registry's `ServerDetail` schema
/// (`https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json`, the `ServerDetail` of the registry's
/// `openapi.yaml`), rule by rule, so that each violation names the JSON pointer and the rule it breaks:
/// `/description: maxLength: at most 100 characters (got 112)`.
///
/// Beyond the schema's types, it checks what the schema's descriptions require and the official registry enforces:
/// versions are one specific version (no ranges, not `latest`), MCPB packages carry `fileSha256`, positional arguments
/// have a `valueHint` or a `value`, remote URLs start with `http://`, `https://` or a `{variable}`.
public struct ServerJSONValidator: Sendable {
    /// The `$schema` URL of the schema these rules follow.
    public static let schemaURL = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"
    /// `^[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+$`: reverse-DNS, exactly one `/`.
    public static let namePattern = "^[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+$"
    /// Remote and package transport URLs.
    static let urlPattern = #"^(https?://[^\s]+|\{[a-zA-Z_][a-zA-Z0-9_]*\}[^\s]*)$"#

    public init() {}

    /// The violations of `value` (empty when valid), in document order.
    func validate(_ value: JSONValue) -> [SchemaViolation] {
        var c = Checker()
        c.serverDetail(value)
        return c.violations
    }

    /// Throws a ``GatewayError`` naming every violation (at most 10) when `value` is invalid.
    public func check(_ value: JSONValue, source: String = "server.json") throws(GatewayError) {
        let violations = validate(value)
        guard !violations.isEmpty else { return }
        let shown = violations.prefix(10).map(\.description).joined(separator: "; ")
        let more = violations.count > 10 ? " (and \(violations.count - 10) more)" : ""
        throw GatewayError(.invalidArgument, "\(source) breaks the server.json schema: \(shown)\(more)")
    }

    /// Whether a version string is one specific version (what the schema requires of server and package versions).
    /// Returns the reason when it is not.
    public static func versionProblem(_ version: String) -> String? {
        if version.isEmpty { return "minLength: at least 1 character" }
        if version == "latest" { return "not 'latest': a specific version (latest is what clients ask for)" }
        if version.range(of: #"[\^~<>=*\s|]|(^|\.)[xX](\.|$)"#, options: .regularExpression) != nil {
            return "a specific version, not a range (^, ~, >=, <, *, x are rejected)"
        }
        return nil
    }
}

/// Collects violations while walking a document.
struct Checker {
    var violations: [SchemaViolation] = []

    mutating func fail(_ pointer: String, _ message: String) {
        if violations.count < 100 { violations.append(SchemaViolation(pointer: pointer, message: message)) }
    }

    static func child(_ pointer: String, _ token: String) -> String { JSONSchemaValidator.child(pointer, token) }
    static func child(_ pointer: String, _ index: Int) -> String { JSONSchemaValidator.child(pointer, String(index)) }

    // MARK: Primitives

    /// The object at `pointer`, or nil after reporting a type violation.
    mutating func object(_ value: JSONValue, _ pointer: String) -> JSONObject? {
        guard case .object(let o) = value else {
            fail(pointer, "type: expected object, got \(value.schemaTypeName)")
            return nil
        }
        return o
    }

    mutating func array(_ value: JSONValue, _ pointer: String) -> [JSONValue]? {
        guard case .array(let a) = value else {
            fail(pointer, "type: expected array, got \(value.schemaTypeName)")
            return nil
        }
        return a
    }

    mutating func string(_ value: JSONValue, _ pointer: String, min: Int? = nil, max: Int? = nil, pattern: String? = nil, patternName: String? = nil)
        -> String?
    {
        guard case .string(let s) = value else {
            fail(pointer, "type: expected string, got \(value.schemaTypeName)")
            return nil
        }
        let n = s.count
        if let min, n < min { fail(pointer, "minLength: at least \(min) \(min == 1 ? "character" : "characters") (got \(n))") }
        if let max, n > max { fail(pointer, "maxLength: at most \(max) characters (got \(n))") }
        if let pattern, s.range(of: pattern, options: .regularExpression) == nil {
            fail(pointer, "pattern: must match \(pattern)\(patternName.map { " (\($0))" } ?? "")")
        }
        return s
    }

    mutating func bool(_ value: JSONValue, _ pointer: String) {
        if case .bool = value { return }
        fail(pointer, "type: expected boolean, got \(value.schemaTypeName)")
    }

    mutating func oneOf(_ value: JSONValue, _ pointer: String, _ options: [String]) {
        guard let s = string(value, pointer) else { return }
        if !options.contains(s) { fail(pointer, "enum: must be one of \(options.joined(separator: ", ")) (got '\(s.prefix(60))')") }
    }

    /// A string with `format: uri`: an absolute URI (a scheme, then something).
    mutating func uri(_ value: JSONValue, _ pointer: String, maxLength: Int? = nil, httpsOnly: Bool = false) {
        guard let s = string(value, pointer, max: maxLength) else { return }
        guard let c = URLComponents(string: s), let scheme = c.scheme, !scheme.isEmpty, s.count > scheme.count + 1 else {
            fail(pointer, "format: must be an absolute URI (got '\(s.prefix(80))')")
            return
        }
        if httpsOnly, scheme.lowercased() != "https" { fail(pointer, "format: must be an https URL") }
    }

    mutating func required(_ o: JSONObject, _ keys: [String], _ pointer: String) {
        for k in keys where o[k] == nil { fail(pointer, "required: missing property '\(k)'") }
    }

    // MARK: ServerDetail

    mutating func serverDetail(_ value: JSONValue) {
        guard let o = object(value, "/") else { return }
        required(o, ["name", "description", "version"], "/")
        if let v = o["name"] {
            _ = string(v, "/name", min: 3, max: 200, pattern: ServerJSONValidator.namePattern, patternName: "reverse-DNS with exactly one '/'")
        }
        if let v = o["description"] { _ = string(v, "/description", min: 1, max: 100) }
        if let v = o["title"] { _ = string(v, "/title", min: 1, max: 100) }
        if let v = o["version"], let s = string(v, "/version", max: 255), let problem = ServerJSONValidator.versionProblem(s) {
            fail("/version", problem)
        }
        if let v = o["websiteUrl"] { uri(v, "/websiteUrl") }
        if let v = o["$schema"] { uri(v, "/$schema") }
        if let v = o["repository"] { repository(v, "/repository") }
        if let v = o["icons"], let icons = array(v, "/icons") {
            for (i, icon) in icons.enumerated() { self.icon(icon, Self.child("/icons", i)) }
        }
        if let v = o["packages"], let packages = array(v, "/packages") {
            for (i, p) in packages.enumerated() { package(p, Self.child("/packages", i)) }
        }
        if let v = o["remotes"], let remotes = array(v, "/remotes") {
            for (i, r) in remotes.enumerated() { remote(r, Self.child("/remotes", i)) }
        }
        if let v = o["_meta"], let meta = object(v, "/_meta") {
            let key = "io.modelcontextprotocol.registry/publisher-provided"
            if let p = meta[key] { _ = object(p, Self.child("/_meta", key)) }
        }
    }

    mutating func repository(_ value: JSONValue, _ pointer: String) {
        guard let o = object(value, pointer) else { return }
        required(o, ["url", "source"], pointer)
        if let v = o["url"] { uri(v, pointer + "/url") }
        if let v = o["source"] { _ = string(v, pointer + "/source") }
        if let v = o["id"] { _ = string(v, pointer + "/id") }
        if let v = o["subfolder"], let s = string(v, pointer + "/subfolder") {
            if s.hasPrefix("/") || s.split(separator: "/").contains("..") {
                fail(pointer + "/subfolder", "a clean relative path (no leading '/', no '..')")
            }
        }
    }

    mutating func icon(_ value: JSONValue, _ pointer: String) {
        guard let o = object(value, pointer) else { return }
        required(o, ["src"], pointer)
        if let v = o["src"] { uri(v, pointer + "/src", maxLength: 255, httpsOnly: true) }
        if let v = o["mimeType"] { oneOf(v, pointer + "/mimeType", ["image/png", "image/jpeg", "image/jpg", "image/svg+xml", "image/webp"]) }
        if let v = o["sizes"], let sizes = array(v, pointer + "/sizes") {
            for (i, s) in sizes.enumerated() { _ = string(s, Self.child(pointer + "/sizes", i), pattern: #"^(\d+x\d+|any)$"#) }
        }
        if let v = o["theme"] { oneOf(v, pointer + "/theme", ["light", "dark"]) }
    }

    mutating func remote(_ value: JSONValue, _ pointer: String) {
        guard let o = object(value, pointer) else { return }
        required(o, ["type", "url"], pointer)
        if let v = o["type"] { oneOf(v, pointer + "/type", ["streamable-http", "sse"]) }
        if let v = o["url"] {
            _ = string(v, pointer + "/url", pattern: ServerJSONValidator.urlPattern, patternName: "http://, https:// or a {variable}, without spaces")
        }
        if let v = o["headers"], let headers = array(v, pointer + "/headers") {
            for (i, h) in headers.enumerated() { keyValueInput(h, Self.child(pointer + "/headers", i)) }
        }
        if let v = o["variables"] { variables(v, pointer + "/variables") }
    }
}
