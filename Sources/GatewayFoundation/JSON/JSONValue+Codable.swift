import Foundation

extension JSONValue: Codable {
    /// Decodes any JSON value (through `Decoder`, for configuration files and stored JSON).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
            return
        }
        if let b = try? c.decode(Bool.self) {
            self = .bool(b)
            return
        }
        if let i = try? c.decode(Int64.self) {
            self = .int(i)
            return
        }
        if let d = try? c.decode(Double.self) {
            self = .double(d)
            return
        }
        if let s = try? c.decode(String.self) {
            self = .string(s)
            return
        }
        if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
            return
        }
        if let o = try? c.decode(JSONObject.self) {
            self = .object(o)
            return
        }
        throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a JSON value")
    }

    /// Encodes the value as is.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}

extension JSONObject: Codable {
    private struct CodingName: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Decodes an object, keys in the decoder's order.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingName.self)
        self.init()
        for key in c.allKeys { self[key.stringValue] = try c.decode(JSONValue.self, forKey: key) }
    }

    /// Encodes the members in insertion order.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingName.self)
        for (k, v) in self { try c.encode(v, forKey: CodingName(stringValue: k)) }
    }
}
