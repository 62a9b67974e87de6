import Foundation

/// Maps a backend HTTP response to an MCP `CallToolResult` object.
///
/// - 2xx JSON becomes text content (the body as sent) plus `structuredContent` when the operation declares an
///   `outputSchema` and the body is a JSON object that validates against it; one that does not becomes an error
///   result naming the first difference, with the body as text (and `_meta["gatehouse/outputSchemaMismatch"]`). When an `outputSchema` is declared but the body is anything
///   else, the result is an error: MCP clients reject a success that lacks `structuredContent`.
/// - 2xx `image/*` and `audio/*` become image and audio content; textual types become text; an empty body becomes
///   a short note; other binary bodies are described by size and type.
/// - Any other status becomes an error result naming the status, with an excerpt of the body capped at
///   ``maxExcerpt`` characters.
struct ToolResultMapper: Sendable {
    /// The most characters of an error body quoted in an error result.
    var maxExcerpt: Int

    /// Creates a mapper.
    init(maxExcerpt: Int = 2_000) {
        self.maxExcerpt = max(0, maxExcerpt)
    }

    /// Maps one backend response for `operation`.
    func map(status: Int, contentType: String?, body: [UInt8], operation: OperationDefinition) -> JSONValue {
        let media = contentType.map(BodyEncoder.mediaType)
        guard (200...299).contains(status) else {
            let head = "Backend returned \(Self.statusLine(status))"
            if body.isEmpty { return errorResult(head + " with an empty body") }
            let declaredText = media.map { Self.isTextual($0) || Self.isJSON($0) } ?? false
            if !declaredText, !Self.looksLikeText(body) {
                return errorResult(head + ": binary body of \(body.count) bytes (\(media ?? "no content type"))")
            }
            return errorResult(head + ": " + excerpt(body))
        }
        let wantsStructured = operation.outputSchema != nil

        if body.isEmpty {
            if wantsStructured {
                return errorResult(
                    "Backend answered \(Self.statusLine(status)) with no content, but the operation "
                        + "declares a JSON object output")
            }
            return textResult("(\(Self.statusLine(status)), no content)")
        }

        let text = String(decoding: body, as: UTF8.self)
        // Parse when the type says JSON, is absent, or is generic (some backends and static file servers mislabel JSON).
        let parsed: JSONValue? =
            media == nil || media.map(Self.isJSON) == true || media == "text/plain" || media == "application/octet-stream"
            ? try? JSONParser().parse(body) : nil

        if wantsStructured {
            if case .object(let object)? = parsed {
                // What the client will check: an answer that does not validate is text and an error, never a
                // result the client throws on.
                if let schema = operation.outputSchema,
                    let first = JSONSchemaValidator().validate(.object(object), against: schema).first
                {
                    var result = errorResult(
                        "The backend's answer does not match the tool's output schema (first difference: "
                            + "\(first.description)); the answer follows as text.")
                    if case .object(var o) = result, case .array(var content)? = o["content"] {
                        content.append(Self.text(text))
                        o["content"] = .array(content)
                        o["_meta"] = .object(["gatehouse/outputSchemaMismatch": .string(first.description)])
                        result = .object(o)
                    }
                    return result
                }
                return .object(["content": .array([Self.text(text)]), "structuredContent": .object(object)])
            }
            let got: String =
                if let parsed { "a JSON \(parsed.schemaTypeName)" } else if let media, Self.isJSON(media) { "invalid JSON" } else {
                    "\(media ?? "untyped") content"
                }
            return errorResult(
                "Backend answered \(Self.statusLine(status)) with \(got), which does not match the "
                    + "operation's declared output (a JSON object): " + excerpt(body))
        }
        if parsed != nil { return textResult(text) }

        if let media {
            if media.hasPrefix("image/") {
                return .object([
                    "content": .array([
                        .object(["type": .string("image"), "data": .string(Data(body).base64EncodedString()), "mimeType": .string(media)])
                    ])
                ])
            }
            if media.hasPrefix("audio/") {
                return .object([
                    "content": .array([
                        .object(["type": .string("audio"), "data": .string(Data(body).base64EncodedString()), "mimeType": .string(media)])
                    ])
                ])
            }
            if Self.isTextual(media) || Self.isJSON(media) { return textResult(text) }
        } else if Self.looksLikeText(body) {
            return textResult(text)
        }
        return textResult("Backend returned a binary response of \(body.count) bytes (\(media ?? "no content type"))")
    }

    /// `{"content":[{"type":"text","text":message}],"isError":true}`.
    func errorResult(_ message: String) -> JSONValue {
        .object(["content": .array([Self.text(message)]), "isError": .bool(true)])
    }

    func textResult(_ text: String) -> JSONValue {
        .object(["content": .array([Self.text(text)])])
    }

    static func text(_ text: String) -> JSONValue {
        .object(["type": .string("text"), "text": .string(text)])
    }

    /// The body as text, cut at a character boundary after ``maxExcerpt`` characters with `…` appended.
    func excerpt(_ body: [UInt8]) -> String {
        // Decode only a bounded prefix: a character is at most 4 bytes, except for long grapheme clusters.
        let byteLimit = maxExcerpt &* 4 &+ 64
        var slice = body[...]
        var cutBytes = false
        if body.count > byteLimit {
            var end = byteLimit
            while end > 0, body[end] & 0xC0 == 0x80 { end -= 1 } // back up to the start of a scalar
            slice = body[..<end]
            cutBytes = true
        }
        let text = String(decoding: slice, as: UTF8.self)
        var prefix = ""
        var count = 0
        for character in text {
            if count == maxExcerpt { return prefix + "…" }
            prefix.append(character)
            count += 1
        }
        return cutBytes ? prefix + "…" : prefix
    }

    static func isJSON(_ media: String) -> Bool { BodyEncoder.isJSON(media) }

    /// Text-like media types other than JSON.
    static func isTextual(_ media: String) -> Bool {
        if media.hasPrefix("text/") || media.hasSuffix("+xml") || media.hasSuffix("+yaml") { return true }
        return [
            "application/xml", "application/yaml", "application/x-yaml", "application/javascript",
            "application/ecmascript", "application/x-www-form-urlencoded", "application/graphql", "application/sql",
            "application/csv", "application/x-ndjson", "application/jsonl", "application/toml",
        ].contains(media)
    }

    /// Whether untyped bytes look like text: valid UTF-8 without NUL.
    static func looksLikeText(_ body: [UInt8]) -> Bool {
        var iterator = body.makeIterator()
        var codec = UTF8()
        while true {
            switch codec.decode(&iterator) {
            case .scalarValue(let scalar): if scalar.value == 0 { return false }
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    /// `HTTP 404 Not Found`, or `HTTP 599` for a status without a known reason phrase.
    static func statusLine(_ status: Int) -> String {
        if let reason = reasons[status] { "HTTP \(status) \(reason)" } else { "HTTP \(status)" }
    }

    static let reasons: [Int: String] = [
        200: "OK", 201: "Created", 202: "Accepted", 203: "Non-Authoritative Information", 204: "No Content",
        205: "Reset Content", 206: "Partial Content", 300: "Multiple Choices", 301: "Moved Permanently", 302: "Found",
        303: "See Other", 304: "Not Modified", 307: "Temporary Redirect", 308: "Permanent Redirect",
        400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden", 404: "Not Found",
        405: "Method Not Allowed", 406: "Not Acceptable", 408: "Request Timeout", 409: "Conflict", 410: "Gone",
        411: "Length Required", 412: "Precondition Failed", 413: "Content Too Large", 414: "URI Too Long",
        415: "Unsupported Media Type", 416: "Range Not Satisfiable", 417: "Expectation Failed",
        418: "I'm a teapot", 421: "Misdirected Request", 422: "Unprocessable Content", 423: "Locked",
        424: "Failed Dependency", 425: "Too Early", 426: "Upgrade Required", 428: "Precondition Required",
        429: "Too Many Requests", 431: "Request Header Fields Too Large", 451: "Unavailable For Legal Reasons",
        500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable",
        504: "Gateway Timeout", 505: "HTTP Version Not Supported", 507: "Insufficient Storage",
        508: "Loop Detected", 511: "Network Authentication Required",
    ]
}
