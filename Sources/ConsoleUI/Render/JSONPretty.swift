import GatewayEngine

/// Pretty-prints JSON as lines (two-space indent, object keys in their order). Leaves are serialised by the
/// engine's writer, so strings come out JSON-escaped; callers still pass each line through ``SafeText``.
enum JSONPretty {
    static func lines(_ value: JSONValue) -> [String] {
        var out: [String] = []
        emit(value, indent: 0, prefix: "", suffix: "", into: &out)
        return out
    }

    private static func emit(_ value: JSONValue, indent: Int, prefix: String, suffix: String, into out: inout [String]) {
        let pad = String(repeating: "  ", count: indent)
        switch value {
        case .array(let items) where !items.isEmpty:
            out.append(pad + prefix + "[")
            for (i, item) in items.enumerated() {
                emit(item, indent: indent + 1, prefix: "", suffix: i < items.count - 1 ? "," : "", into: &out)
            }
            out.append(pad + "]" + suffix)
        case .object(let object) where object.keys.count > 0:
            out.append(pad + prefix + "{")
            let keys = object.keys
            for (i, key) in keys.enumerated() {
                let k = JSONValue.string(key).jsonString + ": "
                emit(object[key] ?? .null, indent: indent + 1, prefix: k, suffix: i < keys.count - 1 ? "," : "", into: &out)
            }
            out.append(pad + "}" + suffix)
        default:
            out.append(pad + prefix + value.jsonString + suffix)
        }
    }
}
