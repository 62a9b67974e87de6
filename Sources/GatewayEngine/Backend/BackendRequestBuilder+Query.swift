import Foundation

/// Text forms of JSON values for parameters.
enum ScalarText {
    /// Strings as-is, booleans `true`/`false`, integral numbers without `.0`, null empty, composites as JSON.
    static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): s
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .double(let d): d.isFinite && d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .null: ""
        case .array, .object: value.jsonString
        }
    }

    /// An object's pairs: `k=v` joined by `separator` when exploded, else `k,v,k2,v2`.
    static func pairs(_ o: JSONObject, _ enc: (String) -> String, explode: Bool, separator: String) -> String {
        if explode { return o.map { enc($0.key) + "=" + enc(text($0.value)) }.joined(separator: separator) }
        return o.flatMap { [enc($0.key), enc(text($0.value))] }.joined(separator: separator)
    }
}

/// Query parameter serialisation (`form`, `spaceDelimited`, `pipeDelimited`, `deepObject`).
enum QuerySerializer {
    /// The encoded `name=value` items one parameter contributes.
    static func items(_ binding: ParameterBinding, _ value: JSONValue) -> [String] {
        let enc = binding.allowReserved ? PercentEncoder.encodeQueryAllowingReserved : PercentEncoder.encodeQuery
        let name = PercentEncoder.encodeQuery(binding.name)
        if binding.contentType != nil { return ["\(name)=" + enc(value.jsonString)] }
        switch binding.style {
        case "deepObject":
            if case .object(let o) = value { return deepObject(name, o, enc) }
            // Not defined by OpenAPI; indexed as Stripe and Rack read it (`expand[0]=a`).
            if case .array(let list) = value { return deepArray(name, list, enc) }
        case "spaceDelimited" where !binding.explode:
            if let items = delimited(name, value, enc, delimiter: "%20") { return items }
        case "pipeDelimited" where !binding.explode:
            if let items = delimited(name, value, enc, delimiter: "%7C") { return items }
        case "tabDelimited":
            if let items = delimited(name, value, enc, delimiter: "%09") { return items }
        default: break
        }
        return form(binding, name, value, enc)
    }

    private static func form(_ binding: ParameterBinding, _ name: String, _ value: JSONValue, _ enc: (String) -> String) -> [String] {
        switch value {
        case .array(let items):
            if binding.explode { return items.map { "\(name)=" + enc(ScalarText.text($0)) } }
            return ["\(name)=" + items.map { enc(ScalarText.text($0)) }.joined(separator: ",")]
        case .object(let o):
            if binding.explode { return o.map { PercentEncoder.encodeQuery($0.key) + "=" + enc(ScalarText.text($0.value)) } }
            return ["\(name)=" + ScalarText.pairs(o, enc, explode: false, separator: ",")]
        default:
            return ["\(name)=" + enc(ScalarText.text(value))]
        }
    }

    private static func delimited(_ name: String, _ value: JSONValue, _ enc: (String) -> String, delimiter: String) -> [String]? {
        switch value {
        case .array(let items): ["\(name)=" + items.map { enc(ScalarText.text($0)) }.joined(separator: delimiter)]
        case .object(let o): ["\(name)=" + ScalarText.pairs(o, enc, explode: false, separator: delimiter)]
        default: nil
        }
    }

    /// `name[0]=a&name[1]=b` (brackets encoded), nested values as in ``deepObject(_:_:_:depth:)``.
    private static func deepArray(_ prefix: String, _ list: [JSONValue], _ enc: (String) -> String) -> [String] {
        var out: [String] = []
        for (index, item) in list.enumerated() {
            let name = prefix + "%5B\(index)%5D"
            switch item {
            case .null: continue
            case .object(let inner): out += deepObject(name, inner, enc, depth: 1)
            default: out.append("\(name)=" + enc(ScalarText.text(item)))
            }
        }
        return out
    }

    /// `name[k]=v` (brackets encoded as `%5B`/`%5D`: RFC 3986 does not allow them in a query), nested objects as
    /// `name[k][k2]=v`, arrays as repeated `name[k]=v`.
    private static func deepObject(_ prefix: String, _ o: JSONObject, _ enc: (String) -> String, depth: Int = 0) -> [String] {
        var out: [String] = []
        for (key, value) in o {
            let name = prefix + "%5B" + PercentEncoder.encodeQuery(key) + "%5D"
            switch value {
            case .null: continue
            case .object(let inner) where depth < 8: out += deepObject(name, inner, enc, depth: depth + 1)
            case .array(let items): out += items.map { "\(name)=" + enc(ScalarText.text($0)) }
            default: out.append("\(name)=" + enc(ScalarText.text(value)))
            }
        }
        return out
    }
}

/// Header and cookie parameter serialisation, refusing anything that could inject a header.
enum HeaderSerializer {
    /// Header names a header parameter may not set: OpenAPI ignores `Content-Type` and `Authorization`
    /// parameters, and framing headers belong to the HTTP client.
    static let ignoredNames: Set<String> = [
        "content-type", "authorization", "host", "content-length", "transfer-encoding", "connection", "keep-alive",
        "upgrade", "te", "trailer", "proxy-authorization", "proxy-connection", "expect",
    ]

    static func isToken(_ s: String) -> Bool {
        !s.isEmpty
            && s.utf8.allSatisfy { b in
                PercentEncoder.isUnreserved(b) || "!#$%&'*+^`|".utf8.contains(b)
            }
    }

    /// Throws when `text` holds CR, LF, NUL or another control character (horizontal tab aside).
    static func refuseControl(_ text: String, _ what: String) throws(GatewayError) {
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A, 0x0D: throw GatewayError(.invalidArgument, "\(what) contains a line break")
            case 0x00: throw GatewayError(.invalidArgument, "\(what) contains a NUL character")
            case 0x01...0x08, 0x0B...0x1F, 0x7F: throw GatewayError(.invalidArgument, "\(what) contains a control character")
            default: continue
            }
        }
    }

    /// The header for a header parameter (`simple` style), or nil when the name is one that is ignored.
    static func header(_ binding: ParameterBinding, _ value: JSONValue) throws(GatewayError) -> (name: String, value: String)? {
        let what = "header parameter \(binding.name)"
        try refuseControl(binding.name, what)
        guard isToken(binding.name) else {
            throw GatewayError(.invalidArgument, "\(what) is not a valid HTTP header name")
        }
        if ignoredNames.contains(binding.name.lowercased()) { return nil }
        let text: String
        if binding.contentType != nil {
            text = value.jsonString
        } else {
            let separator = ["spaceDelimited": " ", "pipeDelimited": "|", "tabDelimited": "\t"][binding.style] ?? ","
            switch value {
            case .array(let items): text = items.map(ScalarText.text).joined(separator: separator)
            case .object(let o): text = ScalarText.pairs(o, { $0 }, explode: binding.explode, separator: ",")
            default: text = ScalarText.text(value)
            }
        }
        try refuseControl(text, what)
        return (binding.name, text.trimmingCharacters(in: .whitespaces))
    }

    /// The `name=value` pairs a cookie parameter contributes (`form` style).
    static func cookies(_ binding: ParameterBinding, _ value: JSONValue) throws(GatewayError) -> [String] {
        let what = "cookie parameter \(binding.name)"
        try refuseControl(binding.name, what)
        guard isToken(binding.name) else { throw GatewayError(.invalidArgument, "\(what) is not a valid cookie name") }
        func checked(_ s: String) throws(GatewayError) -> String {
            try refuseControl(s, what)
            if s.contains(";") { throw GatewayError(.invalidArgument, "\(what) contains \";\"") }
            return PercentEncoder.encodeCookie(s)
        }
        let name = binding.name
        if binding.contentType != nil { return ["\(name)=" + (try checked(value.jsonString))] }
        switch value {
        case .array(let items):
            var parts: [String] = []
            for item in items { parts.append(try checked(ScalarText.text(item))) }
            return binding.explode ? parts.map { "\(name)=\($0)" } : ["\(name)=" + parts.joined(separator: ",")]
        case .object(let o):
            var pairs: [(String, String)] = []
            for (k, v) in o { pairs.append((try checked(k), try checked(ScalarText.text(v)))) }
            if binding.explode { return pairs.map { "\($0.0)=\($0.1)" } }
            return ["\(name)=" + pairs.flatMap { [$0.0, $0.1] }.joined(separator: ",")]
        default:
            return ["\(name)=" + (try checked(ScalarText.text(value)))]
        }
    }
}
