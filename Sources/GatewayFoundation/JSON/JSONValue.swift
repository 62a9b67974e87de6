import Foundation

/// A JSON value: the engine's representation of JSON-RPC payloads, tool arguments and JSON Schemas.
///
/// Object keys keep their insertion order so that schemas and results round-trip in the order
/// they were written. Numbers keep integers apart from doubles so that JSON-RPC ids echo exactly.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

/// An insertion-ordered JSON object.
public struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    /// The keys in insertion order.
    public private(set) var keys: [String] = []
    private var storage: [String: JSONValue] = [:]

    /// Creates an empty object.
    public init() {}

    /// Creates an object from key/value pairs; a repeated key keeps its last value in its first position.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        for (k, v) in elements { self[k] = v }
    }

    /// Creates an object from key/value pairs in order.
    public init(_ pairs: [(String, JSONValue)]) {
        for (k, v) in pairs { self[k] = v }
    }

    /// The value for a key, or nil; setting nil removes the key.
    public subscript(key: String) -> JSONValue? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// The number of keys.
    public var count: Int { keys.count }
    /// Whether the object has no keys.
    public var isEmpty: Bool { keys.isEmpty }

    /// Iterates key/value pairs in insertion order.
    public func makeIterator() -> Iterator { Iterator(keys: keys, storage: storage) }

    /// The key/value pairs in insertion order (a concrete iterator: no boxed closure or run-time generic metadata
    /// per loop, which every object walked on the hot path paid for).
    public struct Iterator: IteratorProtocol {
        let keys: [String]
        let storage: [String: JSONValue]
        var index = 0

        /// The next pair, or nil after the last key.
        public mutating func next() -> (key: String, value: JSONValue)? {
            guard index < keys.count else { return nil }
            defer { index += 1 }
            let k = keys[index]
            return (k, storage[k]!)
        }
    }

    /// Equal when the same keys hold equal values (order does not matter).
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool { lhs.storage == rhs.storage }
    /// Hashes the keys and values (not their order).
    public func hash(into hasher: inout Hasher) { hasher.combine(storage) }
}

extension JSONValue {
    /// The string, if this is a string.
    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    /// The object, if this is an object.
    public var objectValue: JSONObject? { if case .object(let o) = self { o } else { nil } }
    /// The array, if this is an array.
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    /// The boolean, if this is a boolean.
    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
    /// The number as a double, if this is a number.
    public var doubleValue: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }
    /// The number as an integer, if this is an integral number.
    public var intValue: Int64? {
        switch self {
        case .int(let i): i
        case .double(let d) where d.rounded() == d && abs(d) < 9.2e18: Int64(d)
        default: nil
        }
    }
    /// Whether this is `null`.
    public var isNull: Bool { if case .null = self { true } else { false } }

    /// Member lookup on objects; nil for other values.
    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { o[key] } else { nil }
    }

    /// The JSON type name as JSON Schema spells it (`integer` for integral numbers).
    public var schemaTypeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double(let d): d.rounded() == d ? "integer" : "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
