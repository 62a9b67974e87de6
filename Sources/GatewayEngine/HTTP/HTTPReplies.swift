import HTTPTypes
import Hummingbird
import NIOCore

/// Response builders shared by the transports.
enum HTTPReplies {
    static let jsonType = "application/json"

    static func json(_ status: HTTPResponse.Status, _ value: JSONValue, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = jsonType
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.serialized())))
    }

    /// An HTTP-level refusal whose body is a JSON-RPC error without an id.
    static func rpcError(_ status: HTTPResponse.Status, code: Int64, _ message: String, id: JSONValue? = nil, headers: HTTPFields = [:]) -> Response {
        json(status, JSONRPCError(code: code, message: message).response(id: id), headers: headers)
    }

    static func empty(_ status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
        Response(status: status, headers: headers, body: ResponseBody())
    }

    static func text(_ status: HTTPResponse.Status, _ text: String, contentType: String = "text/plain; charset=utf-8") -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static var sseHeaders: HTTPFields {
        var h = HTTPFields()
        h[.contentType] = "text/event-stream"
        h[.cacheControl] = "no-cache, no-transform"
        h[HTTPField.Name("X-Accel-Buffering")!] = "no"
        return h
    }

    /// Whether an `Accept` header admits a media type (`type/subtype`), honouring `type/*`, `*/*` and `q=0`.
    /// A missing header admits everything.
    static func accepts(_ header: String?, _ mediaType: String) -> Bool {
        guard let header, !header.isEmpty else { return true }
        let major = mediaType.prefix { $0 != "/" }
        for part in header.utf8.split(separator: UInt8(ascii: ",")) {
            let fields = part.split(separator: UInt8(ascii: ";"))
            guard let first = fields.first else { continue }
            let type = trimmed(first).lowercased()
            if fields.dropFirst().contains(where: { isZeroQuality(trimmed($0)) }) { continue }
            if type == mediaType || type == "*/*" || type == major + "/*" { return true }
        }
        return false
    }

    private static func trimmed(_ bytes: Substring.UTF8View.SubSequence) -> String {
        var view = bytes
        while let f = view.first, f == 0x20 || f == 0x09 { view = view.dropFirst() }
        while let l = view.last, l == 0x20 || l == 0x09 { view = view.dropLast() }
        return String(decoding: view, as: UTF8.self)
    }

    private static func isZeroQuality(_ param: String) -> Bool {
        guard param.hasPrefix("q=") || param.hasPrefix("Q=") else { return false }
        return Double(param.dropFirst(2)) == 0
    }

    /// Whether a `Content-Type` is JSON (`application/json`, with parameters allowed).
    static func isJSONContentType(_ header: String?) -> Bool {
        guard let header else { return false }
        let type = header.utf8.prefix { $0 != UInt8(ascii: ";") }
        return trimmed(type[...]).lowercased() == "application/json"
    }
}

extension HTTPField.Name {
    static let mcpSessionID = HTTPField.Name("Mcp-Session-Id")!
    static let mcpProtocolVersion = HTTPField.Name("MCP-Protocol-Version")!
}
