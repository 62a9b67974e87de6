/// Masks values that look like secrets before they reach records, logs or screens.
package enum SecretMasker {
    /// Key fragments (lower-cased) whose values are masked.
    static let sensitiveFragments = [
        "password", "passwd", "secret", "token", "apikey", "api_key", "api-key", "authorization", "cookie", "credential",
        "private", "session", "signature", "key",
    ]

    /// Whether a key names a secret.
    package static func isSensitive(_ key: String) -> Bool {
        var key = key
        // ASCII keys (nearly all) are searched byte by byte, case-folded on the fly: this runs for every argument
        // of every call. Others take Unicode lower-casing, which can turn a non-ASCII letter into an ASCII one.
        let ascii: Bool? = key.withUTF8 { bytes in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            return fragmentBytes.contains { fragment in
                guard bytes.count >= fragment.count else { return false }
                for start in 0...(bytes.count - fragment.count) {
                    var i = 0
                    while i < fragment.count, asciiLower(bytes[start + i]) == fragment[i] { i += 1 }
                    if i == fragment.count { return true }
                }
                return false
            }
        }
        if let ascii { return ascii }
        let k = key.lowercased()
        return sensitiveFragments.contains { k.contains($0) }
    }

    private static let fragmentBytes: [[UInt8]] = sensitiveFragments.map { Array($0.utf8) }

    /// `A`–`Z` as `a`–`z`; every other byte as is.
    private static func asciiLower(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte | 0x20 : byte }

    /// A masked form: `***` plus at most the last 4 characters of values longer than 12 characters.
    package static func mask(_ value: String) -> String {
        value.count > 12 ? "***" + value.suffix(4) : "***"
    }

    /// A copy of `value` where every member whose key names a secret is masked, at any depth, and long strings are
    /// shortened.
    package static func masked(_ value: JSONValue, depth: Int = 0) -> JSONValue {
        guard depth < 16 else { return .string("…") }
        switch value {
        case .object(let o):
            var out = JSONObject()
            for (k, v) in o {
                if isSensitive(k) {
                    out[k] = .string(v.stringValue.map(mask) ?? "***")
                } else {
                    out[k] = masked(v, depth: depth + 1)
                }
            }
            return .object(out)
        case .array(let a):
            return .array(a.prefix(50).map { masked($0, depth: depth + 1) })
        case .string(let s) where s.utf8.count > 512 && s.count > 512:
            return .string(String(s.prefix(512)) + "…")
        default:
            return value
        }
    }
}

extension SecretMasker {
    /// Replaces every occurrence of the given secrets, and of the encoded forms ``needles(for:)`` lists, in a body
    /// with `[redacted]`. Secrets shorter than 8 bytes are left alone (too likely to match ordinary text).
    package static func redact(_ body: [UInt8], secrets: [String]) -> [UInt8] {
        redact(body, needles: needles(for: secrets))
    }

    /// `body` with every needle (longest first) replaced by `[redacted]`.
    package static func redact(_ body: [UInt8], needles: [[UInt8]]) -> [UInt8] {
        guard !needles.isEmpty, body.count >= 8 else { return body }
        let replacement = Array("[redacted]".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var i = 0
        outer: while i < body.count {
            for n in needles where body.count - i >= n.count && body[i] == n[0] && body[i..<(i + n.count)].elementsEqual(n) {
                out += replacement
                i += n.count
                continue outer
            }
            out.append(body[i])
            i += 1
        }
        return out
    }
}

extension SecretMasker {
    /// A copy of a JSON value with every string (keys included) redacted like ``redact(_:secrets:)``: an upstream's
    /// answer that quotes the credential the gateway gave it never reaches the client.
    package static func redact(_ value: JSONValue, secrets: [String]) -> JSONValue {
        let needles = needles(for: secrets)
        guard !needles.isEmpty else { return value }
        func text(_ s: String) -> String {
            s.utf8.count >= 8 ? String(decoding: redact(Array(s.utf8), needles: needles), as: UTF8.self) : s
        }
        func walk(_ value: JSONValue) -> JSONValue {
            switch value {
            case .string(let s): return .string(text(s))
            case .array(let a): return .array(a.map(walk))
            case .object(let o):
                var out = JSONObject()
                for (k, v) in o { out[text(k)] = walk(v) }
                return .object(out)
            default: return value
            }
        }
        return walk(value)
    }
}
