/// Masks values that look like secrets before they reach records, logs or screens.
public enum SecretMasker {
    /// Key fragments (lower-cased) whose values are masked.
    static let sensitiveFragments = [
        "password", "passwd", "secret", "token", "apikey", "api_key", "api-key", "authorization", "cookie", "credential",
        "private", "session", "signature", "key",
    ]

    /// Whether a key names a secret.
    public static func isSensitive(_ key: String) -> Bool {
        let k = key.lowercased()
        return sensitiveFragments.contains { k.contains($0) }
    }

    /// A masked form: `***` plus at most the last 4 characters of values longer than 12 characters.
    public static func mask(_ value: String) -> String {
        value.count > 12 ? "***" + value.suffix(4) : "***"
    }

    /// A copy of `value` where every member whose key names a secret is masked, at any depth, and long strings are
    /// shortened.
    public static func masked(_ value: JSONValue, depth: Int = 0) -> JSONValue {
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
        case .string(let s) where s.count > 512:
            return .string(String(s.prefix(512)) + "…")
        default:
            return value
        }
    }
}
