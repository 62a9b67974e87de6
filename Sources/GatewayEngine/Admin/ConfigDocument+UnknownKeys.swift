import Foundation

extension ConfigApplier {
    /// Refuses a key, at any level, that the document's types do not read (`toolz:` under a server, `basepath:` for
    /// `basePath:`), so that a typo is an error rather than configuration lost without a word.
    ///
    /// The decoded document is encoded again and compared with what was written: a key written with a value that the
    /// decoded document does not carry at the same path was not read. The expected keys in the message are the
    /// properties of the type at that path. Trees kept as written (policy documents, `server.json`) are checked by
    /// their own parsers.
    static func refuseUnknownKeys(written: JSONValue, decoded document: ConfigDocument, file: String) throws(GatewayError) {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        guard let data = try? encoder.encode(document), let echoed = try? JSONParser(maxDepth: 512).parse(data) else { return }
        try compare(written, echoed, value: document, path: "", file: file)
    }

    private static func compare(_ written: JSONValue, _ echoed: JSONValue, value: Any?, path: String, file: String) throws(GatewayError) {
        switch (written, echoed) {
        case (.object(let w), .object(let e)):
            let fields = structFields(value)
            for (key, child) in w {
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                guard let echoedChild = e[key] else {
                    // `key: null` (or `key: ~`) is the key left out: a property of the type that decoded to nil.
                    if child.isNull || fields?.keys.contains(key) == true { continue }
                    let known = fields.flatMap { $0.freeForm ? nil : " (expected one of \($0.keys.joined(separator: ", ")))" } ?? ""
                    throw GatewayError(.invalidConfig, "unknown key '\(key.prefix(60))'\(known)", location: "\(file): \(childPath)")
                }
                try compare(child, echoedChild, value: fields?.values[key] ?? nil, path: childPath, file: file)
            }
        case (.array(let w), .array(let e)) where w.count == e.count:
            let elements = arrayElements(value)
            for (i, pair) in zip(w, e).enumerated() {
                try compare(pair.0, pair.1, value: elements.flatMap { i < $0.count ? $0[i] : nil }, path: "\(path)[\(i)]", file: file)
            }
        default:
            return
        }
    }

    /// A struct's stored properties (their names are the keys it reads), unwrapping optionals and enum payloads; nil
    /// for other values.
    private static func structFields(_ value: Any?) -> (keys: [String], values: [String: Any], freeForm: Bool)? {
        guard let value = unwrapped(value) else { return nil }
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .dictionary {
            // Free-form names (headers, env, renames): any key is read; only the values' own keys are checked.
            var values: [String: Any] = [:]
            for child in mirror.children {
                let pair = Mirror(reflecting: child.value).children.map(\.value)
                if pair.count == 2, let key = pair[0] as? String { values[key] = pair[1] }
            }
            return (Array(values.keys), values, freeForm: true)
        }
        guard mirror.displayStyle == .struct else { return nil }
        var keys: [String] = []
        var values: [String: Any] = [:]
        for child in mirror.children {
            guard let label = child.label else { continue }
            let key = label.hasPrefix("_") ? String(label.dropFirst()) : label
            keys.append(key)
            values[key] = child.value
        }
        return (keys, values, freeForm: false)
    }

    private static func arrayElements(_ value: Any?) -> [Any]? {
        guard let value = unwrapped(value) else { return nil }
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .collection else { return nil }
        return mirror.children.map(\.value)
    }

    private static func unwrapped(_ value: Any?) -> Any? {
        guard let value else { return nil }
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional { return mirror.children.first.map { unwrapped($0.value) } ?? nil }
        // An enum with a payload (a value or a secret reference): the payload is what was read.
        if mirror.displayStyle == .enum, let payload = mirror.children.first { return unwrapped(payload.value) }
        return value
    }
}
