import Foundation

/// Per-tool caps on schema size, so that one tool can never outgrow a `tools/list` page (MCP clients refuse
/// messages over 1 MiB) and a whole API stays listable.
///
/// Limits (documented in docs/ARCHITECTURE.md):
/// - a schema nested deeper than ``maxDepth`` levels (properties, items, compositions) is simplified there;
/// - a schema whose JSON is larger than ``maxBytes`` is simplified level by level, deepest first, until it fits.
///
/// A simplified subschema keeps its type (`{"type": "object"}` for objects) and says so in its description, so
/// clients and models know more may be sent or returned than the schema shows.
enum SchemaBudget {
    /// The deepest schema nesting kept (levels below are simplified).
    static let maxDepth = 12
    /// The largest schema kept whole, in bytes of JSON (input and output schemas each).
    static let maxBytes = 96 * 1024

    /// Keywords whose value is one subschema, a list of them, or a map of them.
    private static let one: Set<String> = [
        "items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else", "unevaluatedItems", "unevaluatedProperties",
    ]
    private static let list: Set<String> = ["anyOf", "oneOf", "allOf", "prefixItems"]
    private static let map: Set<String> = ["properties", "patternProperties", "dependentSchemas"]

    /// The schema within the limits, and whether it had to be simplified.
    static func cap(_ schema: JSONValue) -> (schema: JSONValue, simplified: Bool) {
        let deep = exceeds(schema, depth: 0, limit: maxDepth)
        if !deep, schema.serialized().count <= maxBytes { return (schema, false) }
        var out = deep ? collapse(schema, depth: 0, limit: maxDepth) : schema
        var simplified = deep
        var limit = maxDepth
        while out.serialized().count > maxBytes, limit > 1 {
            limit -= 1
            out = collapse(schema, depth: 0, limit: limit)
            simplified = true
        }
        return (out, simplified)
    }

    /// Whether any subschema sits `limit` levels down.
    static func exceeds(_ schema: JSONValue, depth: Int, limit: Int) -> Bool {
        guard case .object(let object) = schema else { return false }
        if depth >= limit { return true }
        for (key, value) in object {
            if one.contains(key), exceeds(value, depth: depth + 1, limit: limit) { return true }
            if list.contains(key), case .array(let items) = value,
                items.contains(where: { exceeds($0, depth: depth + 1, limit: limit) })
            {
                return true
            }
            if map.contains(key), case .object(let entries) = value,
                entries.contains(where: { exceeds($0.value, depth: depth + 1, limit: limit) })
            {
                return true
            }
        }
        return false
    }

    /// The schema with every subschema at `limit` levels replaced by its simple form (the top level is kept).
    static func collapse(_ schema: JSONValue, depth: Int, limit: Int) -> JSONValue {
        guard case .object(let object) = schema else { return schema }
        if depth >= limit { return simple(object) }
        var out = JSONObject()
        for (key, value) in object {
            if one.contains(key), value.objectValue != nil {
                out[key] = collapse(value, depth: depth + 1, limit: limit)
            } else if list.contains(key), case .array(let items) = value {
                out[key] = .array(items.map { collapse($0, depth: depth + 1, limit: limit) })
            } else if map.contains(key), case .object(let entries) = value {
                var converted = JSONObject()
                for (name, sub) in entries { converted[name] = collapse(sub, depth: depth + 1, limit: limit) }
                out[key] = .object(converted)
            } else {
                out[key] = value
            }
        }
        return .object(out)
    }

    /// `{"type": …, "description": "… (simplified …)"}`: the type kept (object when it has properties), the rest
    /// left out.
    static func simple(_ object: JSONObject) -> JSONValue {
        var out = JSONObject()
        if let type = object["type"] {
            out["type"] = type
        } else if object["properties"] != nil || object["additionalProperties"] != nil {
            out["type"] = .string("object")
        } else if object["items"] != nil {
            out["type"] = .string("array")
        }
        let what = object["title"]?.stringValue ?? object["description"]?.stringValue.map { String($0.prefix(120)) }
        let note =
            "Simplified: the full schema is nested too deeply or is too large for a tool definition; "
            + "other fields may be present."
        out["description"] = .string(what.map { "\($0) (\(note))" } ?? note)
        return .object(out)
    }
}
