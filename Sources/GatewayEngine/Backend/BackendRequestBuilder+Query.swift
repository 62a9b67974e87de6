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

/// Percent-encoding for URL parts.
enum PercentEncoder {
    private static let hex = Array("0123456789ABCDEF".utf8)

    static func isUnreserved(_ b: UInt8) -> Bool {
        (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) || (0x30...0x39).contains(b)
            || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "~")
    }

    static func encode(_ s: some StringProtocol, keeping keep: (UInt8) -> Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        for b in s.utf8 {
            if keep(b) {
                out.append(b)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A path parameter value as (part of) one segment: everything but unreserved characters is encoded, and a
    /// run of dots at the start of the value or after a `/` or `\` is encoded too, so `../x` → `%2E%2E%2Fx`.
    static func encodePathValue(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var previous: UInt8?
        var encodingDots = false
        for b in s.utf8 {
            if b == UInt8(ascii: ".") {
                if previous == nil || previous == UInt8(ascii: "/") || previous == UInt8(ascii: "\\") {
                    encodingDots = true
                } else if previous != UInt8(ascii: ".") {
                    encodingDots = false
                }
            }
            if isUnreserved(b) && !(b == UInt8(ascii: ".") && encodingDots) {
                out.append(b)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            }
            previous = b
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A literal part of a path template: keeps `/`, unreserved, sub-delims, `:`, `@` and valid `%XX` escapes (a
    /// lone `%` is encoded, so the URL stays valid and nothing downstream re-encodes it).
    static func encodePathLiteral(_ s: some StringProtocol) -> String {
        let bytes = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for (i, b) in bytes.enumerated() {
            let keep: Bool
            if b == UInt8(ascii: "%") {
                keep = i + 2 < bytes.count && isHex(bytes[i + 1]) && isHex(bytes[i + 2])
            } else {
                keep = isUnreserved(b) || "/!$&'()*+,;=:@".utf8.contains(b)
            }
            if keep {
                out.append(b)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func isHex(_ b: UInt8) -> Bool {
        (0x30...0x39).contains(b) || (0x41...0x46).contains(b) || (0x61...0x66).contains(b)
    }

    /// A query name or value: only unreserved characters stay; space is `%20`.
    static func encodeQuery(_ s: String) -> String { encode(s, keeping: isUnreserved) }

    /// A query value with `allowReserved` (RFC 6570 reserved expansion): the reserved characters RFC 3986 allows in a
    /// query stay (`:/?@!$'()*+,;=`), and so do percent-encoded triples (`%2F` is sent as written); `#` and `&`
    /// (which would end the value), a lone `%`, and `[`, `]` (which RFC 3986 does not allow in a query, so that a
    /// URL parser would re-encode the whole URL) are encoded.
    static func encodeQueryAllowingReserved(_ s: String) -> String {
        encodeKeepingTriples(s) { b in isUnreserved(b) || ":/?@!$'()*+,;=".utf8.contains(b) }
    }

    /// Like ``encode(_:keeping:)``, but a `%` followed by two hex digits stays (an escape the caller already wrote).
    static func encodeKeepingTriples(_ s: String, keeping keep: (UInt8) -> Bool) -> String {
        let bytes = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for (i, b) in bytes.enumerated() {
            let triple = b == UInt8(ascii: "%") && i + 2 < bytes.count && isHex(bytes[i + 1]) && isHex(bytes[i + 2])
            if triple || keep(b) {
                out.append(b)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A cookie value: RFC 6265 cookie-octets stay; everything else (space, `"`, `,`, `\`, `%`, non-ASCII) is encoded.
    static func encodeCookie(_ s: String) -> String {
        encode(s) { b in
            b == 0x21 || (0x23...0x2B).contains(b) && b != 0x25 || (0x2D...0x3A).contains(b) || (0x3C...0x5B).contains(b)
                || (0x5D...0x7E).contains(b)
        }
    }

    /// `application/x-www-form-urlencoded`: unreserved stay, space is `+`, everything else is encoded.
    static func encodeForm(_ s: String) -> String {
        encode(s, keeping: isUnreserved).replacingOccurrences(of: "%20", with: "+")
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
        !s.isEmpty && s.utf8.allSatisfy { b in
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
