extension JSONValue {
    /// JSON text with object keys sorted at every level: equal values give equal text.
    package var canonicalString: String {
        switch self {
        case .object(let o):
            let parts = o.keys.sorted().map { k in JSONValue.string(k).jsonString + ":" + (o[k]?.canonicalString ?? "null") }
            return "{" + parts.joined(separator: ",") + "}"
        case .array(let a):
            return "[" + a.map(\.canonicalString).joined(separator: ",") + "]"
        default:
            return jsonString
        }
    }
}
