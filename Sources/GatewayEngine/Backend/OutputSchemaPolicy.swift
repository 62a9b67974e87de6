import Foundation

/// How a tool's answers are checked against the output schema its API document declares.
public enum OutputSchemaMode: String, Sendable, Codable, CaseIterable, Equatable {
    /// The document's schema is declared as written; answers that do not validate become errors.
    case strict
    /// A tolerant form of the schema is declared (see ``OutputSchemaPolicy/tolerant(_:)``); answers that still do not
    /// validate become errors. The default: real backends drift from their documents.
    case tolerant
    /// No `outputSchema` is declared and answers are text only.
    case off

    /// A tool's mode: its own when set, else its API's, else ``tolerant`` (unknown stored values read as tolerant).
    public static func effective(tool: String?, api: String?) -> OutputSchemaMode {
        tool.flatMap(OutputSchemaMode.init(rawValue:)) ?? api.flatMap(OutputSchemaMode.init(rawValue:)) ?? .tolerant
    }
}

/// Output schemas as declared to clients, and the check of each answer against them.
///
/// MCP clients (the official SDKs among them) reject a successful result whose `structuredContent` does not
/// validate against the tool's `outputSchema`, so the gateway validates every answer against what it declared:
/// an answer that does not validate is returned as text with `isError: true` and a message naming the first
/// violation — never a result the client would throw on.
public enum OutputSchemaPolicy {
    /// Keywords kept in a tolerant schema (structure and annotations; every value constraint is dropped).
    static let structural: Set<String> = [
        "type", "properties", "items", "prefixItems", "additionalProperties", "patternProperties", "anyOf", "allOf",
        "oneOf", "title", "description",
    ]

    /// The schema a tool declares in `mode` (nil for `off`, or when the operation has none).
    public static func declared(_ schema: JSONValue?, mode: OutputSchemaMode) -> JSONValue? {
        guard let schema else { return nil }
        switch mode {
        case .off: return nil
        case .strict: return schema
        case .tolerant: return tolerant(schema)
        }
    }

    /// A tolerant form of an object schema: no `required`, additional properties allowed, every type below the top
    /// level also nullable, `oneOf` read as `anyOf`, and no value constraints (`enum`, `const`, `format`,
    /// `pattern`, lengths, bounds…) — the ways real answers most often differ from their documents. The top level
    /// stays `type: object`, as MCP requires.
    public static func tolerant(_ schema: JSONValue) -> JSONValue {
        guard case .object(var top) = relax(schema, depth: 0) else { return schema }
        top["type"] = .string("object")
        return .object(top)
    }

    private static func relax(_ schema: JSONValue, depth: Int) -> JSONValue {
        guard case .object(let object) = schema else { return schema }
        var out = JSONObject()
        for (key, value) in object where structural.contains(key) {
            switch key {
            case "type":
                out[key] = depth == 0 ? value : nullable(value)
            case "properties", "patternProperties":
                guard case .object(let map) = value else { continue }
                var relaxed = JSONObject()
                for (name, sub) in map { relaxed[name] = relax(sub, depth: depth + 1) }
                out[key] = .object(relaxed)
            case "items", "additionalProperties":
                // `additionalProperties: false` (and `items: false`) would refuse what backends add over time.
                if case .bool = value { continue }
                out[key] = relax(value, depth: depth + 1)
            case "prefixItems", "anyOf", "allOf", "oneOf":
                guard case .array(let list) = value else { continue }
                let relaxed = JSONValue.array(list.map { relax($0, depth: depth + 1) })
                // Exactly-one rarely survives relaxation (the branches overlap more): any one is enough.
                if key == "oneOf" {
                    out["anyOf"] = relaxed
                } else {
                    out[key] = relaxed
                }
            default:
                out[key] = value
            }
        }
        if depth > 0, out["type"] == nil, out["anyOf"] != nil || out["allOf"] != nil {
            // A composed value may be null too.
            out = ["anyOf": .array([.object(out), .object(["type": .string("null")])])]
        }
        return .object(out)
    }

    private static func nullable(_ type: JSONValue) -> JSONValue {
        switch type {
        case .string(let name) where name != "null":
            return .array([.string(name), .string("null")])
        case .array(var names):
            if !names.contains(.string("null")) { names.append(.string("null")) }
            return .array(names)
        default:
            return type
        }
    }
}
