import Foundation

/// Request body encoding for JSON, form, multipart, text and raw content types.
enum BodyEncoder {
    struct Encoded {
        var bytes: [UInt8]
        var contentType: String
    }

    /// The encoded body, or nil when the operation's optional body was not given.
    static func encode(_ binding: BodyBinding, _ arguments: JSONObject) throws(GatewayError) -> Encoded? {
        let value: JSONValue
        switch binding.mode {
        case .flattened:
            var object = JSONObject()
            for name in binding.properties {
                if let v = arguments[name] { object[name] = v }
            }
            if object.isEmpty && !binding.required { return nil }
            value = .object(object)
        case .whole:
            guard let v = arguments[binding.argument], !v.isNull else {
                if binding.required {
                    throw GatewayError(.invalidArgument, "missing required request body \"\(binding.argument)\"")
                }
                return nil
            }
            value = v
        }
        return try encode(value, contentType: binding.contentType, encoding: binding.encoding)
    }

    /// The media type in lower case without parameters.
    static func mediaType(_ contentType: String) -> String {
        let bare = contentType.split(separator: ";", maxSplits: 1).first.map(String.init) ?? contentType
        return bare.trimmingCharacters(in: .whitespaces).lowercased()
    }

    static func isJSON(_ media: String) -> Bool { media == "application/json" || media.hasSuffix("+json") }

    static func encode(_ value: JSONValue, contentType: String, encoding: [String: PropertyEncoding]? = nil)
        throws(GatewayError) -> Encoded
    {
        let media = mediaType(contentType)
        if isJSON(media) {
            return Encoded(bytes: value.serialized(), contentType: contentType)
        }
        switch media {
        case "application/x-www-form-urlencoded":
            if case .string(let raw) = value { return Encoded(bytes: Array(raw.utf8), contentType: contentType) }
            guard case .object(let o) = value else {
                throw GatewayError(.invalidArgument, "a form-encoded request body must be an object")
            }
            return Encoded(bytes: Array(FormEncoder.encode(o, encoding: encoding).utf8), contentType: contentType)
        case "multipart/form-data":
            guard case .object(let o) = value else {
                throw GatewayError(.invalidArgument, "a multipart request body must be an object")
            }
            let (bytes, boundary) = multipart(o, encoding: encoding)
            return Encoded(bytes: bytes, contentType: "multipart/form-data; boundary=\(boundary)")
        default:
            break
        }
        if media.hasPrefix("text/") {
            return Encoded(bytes: Array(ScalarText.text(value).utf8), contentType: contentType)
        }
        if case .string(let s) = value {
            return Encoded(bytes: Array(s.utf8), contentType: media.contains("*") ? "application/octet-stream" : contentType)
        }
        if media.contains("*") {
            return Encoded(bytes: value.serialized(), contentType: "application/json")
        }
        throw GatewayError(.invalidArgument, "the request body for content type \(media) must be a string")
    }

    static func makeBoundary() -> String {
        "gatehouse-" + (0..<3).map { _ in String(UInt64.random(in: .min ... .max), radix: 16) }.joined()
    }

    /// A `multipart/form-data` body: one part per field of ``FormEncoder/fields(_:encoding:)`` — a text part per
    /// primitive, a repeated part per array item, an `application/json` part per object, each with the `contentType`
    /// its Encoding object declares. Returns the bytes and the boundary.
    static func multipart(_ o: JSONObject, encoding: [String: PropertyEncoding]? = nil) -> ([UInt8], String) {
        let parts = FormEncoder.fields(o, encoding: encoding).map { field in
            // The Encoding object's contentType names the part's type (CR/LF cannot reach the header).
            (name: field.name, data: field.text, type: field.contentType.map { $0.filter { $0 != "\r" && $0 != "\n" } })
        }
        var boundary = makeBoundary()
        while parts.contains(where: { $0.data.contains(boundary) }) { boundary = makeBoundary() }
        var out = ""
        for part in parts {
            let name = part.name.replacingOccurrences(of: "\"", with: "%22")
                .replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
            out += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n"
            if let type = part.type { out += "Content-Type: \(type)\r\n" }
            out += "\r\n\(part.data)\r\n"
        }
        out += "--\(boundary)--\r\n"
        return (Array(out.utf8), boundary)
    }
}
