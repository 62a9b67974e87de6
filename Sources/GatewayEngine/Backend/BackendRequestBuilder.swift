import Foundation

/// An HTTP request for a backend, built from a tool call.
struct BackendRequest: Sendable, Equatable {
    /// Upper-case HTTP method.
    var method: String
    /// The absolute URL, percent-encoded, ready to send.
    var url: String
    /// Header fields in order; names as the document spells them.
    var headers: [(name: String, value: String)]
    /// The body bytes, or nil for no body.
    var body: [UInt8]?

    /// Creates a request.
    init(method: String, url: String, headers: [(name: String, value: String)], body: [UInt8]?) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, matching the name case-insensitively.
    func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    static func == (lhs: BackendRequest, rhs: BackendRequest) -> Bool {
        lhs.method == rhs.method && lhs.url == rhs.url && lhs.body == rhs.body
            && lhs.headers.count == rhs.headers.count
            && zip(lhs.headers, rhs.headers).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}

/// Turns a tool call's arguments into a backend HTTP request, following the operation's OpenAPI parameter
/// bindings (path, query, header and cookie, with their `style`/`explode`) and body binding.
///
/// Safety properties:
/// - every path parameter expands to exactly one path segment under the base URL: everything but
///   `A-Za-z0-9-._~` is percent-encoded, and dot runs that could form `.`/`..` segments are encoded as `%2E`;
/// - query names and values are strictly percent-encoded (`allowReserved` still encodes `#`, `&` and `%`);
/// - header and cookie values containing CR, LF or NUL are refused, so no header can be injected;
/// - `Content-Type`, `Authorization` and connection-framing headers cannot be set through header parameters
///   (OpenAPI says such parameter definitions are ignored).
struct BackendRequestBuilder: Sendable {
    /// The `Accept` header sent unless a header parameter sets one.
    static let defaultAccept = "application/json, */*;q=0.8"

    /// Creates a builder.
    init() {}

    /// Builds the request for `operation` against `baseURL` (for example `https://api.example.com/v1`).
    ///
    /// - Throws: ``GatewayError`` `.invalidArgument` when a required parameter or body is missing, or a value
    ///   cannot be sent safely; `.invalidURL` when `baseURL` is unusable.
    func build(
        operation: OperationDefinition, baseURL: String, arguments: JSONObject
    ) throws(GatewayError) -> BackendRequest {
        let base = try Self.normalizedBase(baseURL)
        let path = try expandPath(operation, arguments)
        var url = base + path
        try Self.assertUnderBase(url: url, base: base, path: path)

        var queryItems: [String] = []
        var headers: [(name: String, value: String)] = []
        var cookies: [String] = []
        for binding in operation.parameters where binding.location != .path {
            let value = arguments[binding.argument]
            guard let value, !value.isNull else {
                if binding.required { throw Self.missing(binding) }
                continue
            }
            switch binding.location {
            case .query: queryItems += QuerySerializer.items(binding, value)
            case .header:
                if let header = try HeaderSerializer.header(binding, value) { headers.append(header) }
            case .cookie: cookies += try HeaderSerializer.cookies(binding, value)
            case .path: break
            }
        }
        if !queryItems.isEmpty { url += "?" + queryItems.joined(separator: "&") }

        if !headers.contains(where: { $0.name.lowercased() == "accept" }) {
            headers.insert((name: "Accept", value: Self.defaultAccept), at: 0)
        }
        if !cookies.isEmpty { headers.append((name: "Cookie", value: cookies.joined(separator: "; "))) }

        var body: [UInt8]?
        if let binding = operation.body, let encoded = try BodyEncoder.encode(binding, arguments) {
            body = encoded.bytes
            headers.append((name: "Content-Type", value: encoded.contentType))
        }
        return BackendRequest(method: operation.method.uppercased(), url: url, headers: headers, body: body)
    }

    static func missing(_ binding: ParameterBinding) -> GatewayError {
        GatewayError(.invalidArgument, "missing required \(binding.location.rawValue) parameter \"\(binding.argument)\"")
    }

    /// The base URL without trailing slashes; refuses a base with a query or fragment.
    static func normalizedBase(_ baseURL: String) throws(GatewayError) -> String {
        if isNormalASCIIBase(baseURL) { return baseURL }
        // Pure Swift (this runs on every call): Foundation's trimming and searching cost more than the rest here.
        func isSpace(_ c: Unicode.Scalar) -> Bool { c == "\t" || c.properties.generalCategory == .spaceSeparator }
        var scalars = Substring(baseURL).unicodeScalars
        while let first = scalars.first, isSpace(first) { scalars.removeFirst() }
        while let last = scalars.last, isSpace(last) { scalars.removeLast() }
        var base = String(scalars)
        while base.hasSuffix("/") { base.removeLast() }
        guard let colon = base.firstRange(of: "://"), !base[colon.upperBound...].isEmpty else {
            throw GatewayError(.invalidURL, "backend base URL \"\(baseURL)\" is not an absolute URL")
        }
        guard !base.contains("?"), !base.contains("#"),
            !base.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F })
        else {
            throw GatewayError(.invalidURL, "backend base URL \"\(baseURL)\" must not contain a query, fragment or spaces")
        }
        return base
    }

    /// Whether `base` is already what ``normalizedBase(_:)`` returns, checked in one pass over its bytes (the common
    /// case on every call): printable ASCII, no query or fragment, no surrounding space or trailing slash, and a
    /// non-empty part after `://`.
    static func isNormalASCIIBase(_ base: String) -> Bool {
        var base = base
        return base.withUTF8 { b in
            guard let last = b.last, last != UInt8(ascii: "/"), b.count > 3 else { return false }
            var scheme = -1
            for i in b.indices {
                let c = b[i]
                guard c > 0x20, c < 0x7F, c != UInt8(ascii: "?"), c != UInt8(ascii: "#") else { return false }
                if scheme < 0, c == UInt8(ascii: ":"), i + 2 < b.count, b[i + 1] == UInt8(ascii: "/"), b[i + 2] == UInt8(ascii: "/") {
                    scheme = i
                }
            }
            return scheme >= 0 && scheme + 3 < b.count
        }
    }

    /// Defensive check: the expanded path stays under the base URL, with no dot segments, query or fragment.
    static func assertUnderBase(url: String, base: String, path: String) throws(GatewayError) {
        let ok =
            url.hasPrefix(base) && (path.isEmpty || path.hasPrefix("/"))
            && !path.contains("?") && !path.contains("#")
            && !path.split(separator: "/", omittingEmptySubsequences: false).contains { $0 == "." || $0 == ".." }
        guard ok else {
            throw GatewayError(.invalidArgument, "the expanded request path would leave the API's base URL")
        }
    }

    // MARK: path

    /// Expands the path template, each `{name}` becoming exactly one encoded segment.
    func expandPath(_ operation: OperationDefinition, _ arguments: JSONObject) throws(GatewayError) -> String {
        // A path key may carry a fragment to tell operations apart (`/files/{id}#variant`): never sent.
        let keyPath = Self.withoutFragment(operation.path)
        let template = keyPath.isEmpty || keyPath.hasPrefix("/") ? keyPath : "/" + keyPath
        var out = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            out += PercentEncoder.encodePathLiteral(rest[..<open])
            guard let close = rest[open...].firstIndex(of: "}") else {
                rest = rest[open...]
                break
            }
            let name = String(rest[rest.index(after: open)..<close])
            guard let binding = operation.parameters.first(where: { $0.location == .path && $0.name == name }) else {
                throw GatewayError(.invalidArgument, "path template variable {\(name)} has no path parameter")
            }
            guard let value = arguments[binding.argument], !value.isNull else { throw Self.missing(binding) }
            let segment = PathSerializer.serialize(binding, value)
            if segment.isEmpty {
                throw GatewayError(.invalidArgument, "path parameter \"\(binding.argument)\" must not be empty")
            }
            out += segment
            rest = rest[rest.index(after: close)...]
        }
        out += PercentEncoder.encodePathLiteral(rest)
        return Self.encodeDotSegments(out)
    }

    /// The path template up to a `#` outside `{…}`.
    static func withoutFragment(_ path: String) -> String {
        var depth = 0
        for index in path.indices {
            switch path[index] {
            case "{": depth += 1
            case "}": depth = max(0, depth - 1)
            case "#" where depth == 0: return String(path[..<index])
            default: continue
            }
        }
        return path
    }

    /// Replaces any whole `.` or `..` segment (which a style prefix could produce) by `%2E` runs.
    static func encodeDotSegments(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
            segment == "." || segment == ".." ? String(repeating: "%2E", count: segment.count) : String(segment)
        }.joined(separator: "/")
    }
}

/// Path parameter serialisation (`simple`, `label`, `matrix`).
enum PathSerializer {
    static func serialize(_ binding: ParameterBinding, _ value: JSONValue) -> String {
        let enc = PercentEncoder.encodePathValue
        let name = enc(binding.name)
        if binding.contentType != nil { return enc(value.jsonString) }
        switch binding.style {
        case "label":
            switch value {
            case .array(let items): return "." + items.map { enc(ScalarText.text($0)) }.joined(separator: binding.explode ? "." : ",")
            case .object(let o): return "." + ScalarText.pairs(o, enc, explode: binding.explode, separator: binding.explode ? "." : ",")
            default: return "." + enc(ScalarText.text(value))
            }
        case "matrix":
            switch value {
            case .array(let items):
                if binding.explode { return items.map { ";\(name)=" + enc(ScalarText.text($0)) }.joined() }
                return ";\(name)=" + items.map { enc(ScalarText.text($0)) }.joined(separator: ",")
            case .object(let o):
                if binding.explode { return ";" + ScalarText.pairs(o, enc, explode: true, separator: ";") }
                return ";\(name)=" + ScalarText.pairs(o, enc, explode: false, separator: ",")
            default:
                let text = enc(ScalarText.text(value))
                return text.isEmpty ? ";\(name)" : ";\(name)=\(text)"
            }
        case "spaceDelimited", "pipeDelimited", "tabDelimited":
            // Swagger 2.0 ssv/pipes/tsv in a path (see Swagger2Converter).
            let separator = ["spaceDelimited": "%20", "pipeDelimited": "%7C", "tabDelimited": "%09"][binding.style]!
            if case .array(let items) = value { return items.map { enc(ScalarText.text($0)) }.joined(separator: separator) }
            return enc(ScalarText.text(value))
        default:
            switch value {
            case .array(let items): return items.map { enc(ScalarText.text($0)) }.joined(separator: ",")
            case .object(let o): return ScalarText.pairs(o, enc, explode: binding.explode, separator: ",")
            default: return enc(ScalarText.text(value))
            }
        }
    }
}
