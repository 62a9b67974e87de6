import Crypto

/// Tool pinning: the fingerprint of an upstream tool definition and the suspicious content in it.
enum ToolFingerprint {
    /// The members that define what a model is told about a tool.
    static let pinnedMembers = ["name", "title", "description", "inputSchema", "outputSchema", "annotations"]

    /// The pinned members of a `tools/list` entry, keys sorted at every level.
    static func canonical(_ tool: JSONObject) -> JSONValue {
        var out = JSONObject()
        for key in pinnedMembers.sorted() { if let v = tool[key] { out[key] = sorted(v) } }
        return .object(out)
    }

    static func sorted(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let o):
            var out = JSONObject()
            for key in o.keys.sorted() { out[key] = sorted(o[key]!) }
            return .object(out)
        case .array(let a): return .array(a.map(sorted))
        default: return value
        }
    }

    /// SHA-256 (hex) of the canonical definition.
    static func fingerprint(_ tool: JSONObject) -> String {
        Hex.encode(SHA256.hash(data: canonical(tool).serialized()))
    }

    /// Why a definition is suspicious: control characters (ANSI escapes), zero-width, bidi-control and tag characters,
    /// and `<IMPORTANT>`-style instruction blocks, anywhere in its text (schemas included).
    static func flags(_ tool: JSONObject) -> [String] {
        var found: [String] = []
        func note(_ s: String) { if !found.contains(s) { found.append(s) } }
        func scan(_ text: String, at path: String) {
            for scalar in text.unicodeScalars {
                if let kind = suspicious(scalar) {
                    note("\(path): \(kind) U+\(String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4))")
                }
            }
            let lower = text.lowercased()
            for tag in ["<important>", "<system>", "<instructions>"] where lower.contains(tag) {
                note("\(path): instruction block \(tag)")
            }
        }
        func walk(_ value: JSONValue, path: String) {
            switch value {
            case .string(let s): scan(s, at: path)
            case .array(let a): for (i, v) in a.enumerated() { walk(v, path: "\(path)[\(i)]") }
            case .object(let o):
                for (k, v) in o {
                    scan(k, at: path.isEmpty ? k : "\(path).\(k)")
                    walk(v, path: path.isEmpty ? k : "\(path).\(k)")
                }
            default: break
            }
        }
        walk(canonical(tool), path: "")
        return found
    }

    /// The hazard's name, from the one definition the console's escaping shares (``TextHazard``).
    static func suspicious(_ s: Unicode.Scalar) -> String? { TextHazard.classify(s)?.rawValue }
}
