import Foundation

/// Reads the defects real documents are known for in their obvious way, before anything else looks at the
/// tree, and records each as a defect at its pointer in the user's own file:
///
/// - type aliases (`int`, `long`, `float`, `double`, `bool`, `str`, `dict`, `list`…) become JSON Schema types;
///   an unknown type is dropped (any value accepted);
/// - a list of types (`["null", "string"]`) where the format has none (Swagger 2.0, OpenAPI 3.0) becomes the one
///   type, nullable; several types become no `type` at all;
/// - integer bounds beyond the 64-bit range (`maximum: 9223372036854776000`) are clamped to it, and fractional
///   bounds of an integer schema are rounded inwards; negative or fractional lengths and counts are dropped;
/// - `externalDocs`, `contact` and `license` URLs that are empty or not URLs are dropped;
/// - `required: true` on a property schema (a draft-03 form) is dropped;
/// - a response `$ref` that points at a request body or a schema is dropped (the response is ignored).
///
/// Security schemes are left alone (their `type` is not a schema type).
struct DocumentRepair {
    let context: SpecContext
    /// Whether type lists are JSON Schema (OpenAPI 3.1) or must be read as one type (Swagger 2.0, 3.0).
    let allowsTypeLists: Bool
    /// Whether nullability is written `x-nullable` (Swagger 2.0) rather than `nullable` (3.0).
    let swagger: Bool

    static let types: Set<String> = ["string", "number", "integer", "boolean", "array", "object", "null"]
    static let aliases: [String: String] = [
        "int": "integer", "int32": "integer", "int64": "integer", "long": "integer", "short": "integer",
        "uint": "integer", "float": "number", "double": "number", "decimal": "number", "num": "number",
        "bool": "boolean", "str": "string", "text": "string", "date": "string", "datetime": "string",
        "date-time": "string", "uuid": "string", "binary": "string", "dict": "object", "map": "object",
        "hash": "object", "list": "array", "none": "null",
    ]
    private static let skipped: Set<String> = ["securitySchemes", "securityDefinitions", "security"]
    private static let counts = ["maxLength", "minLength", "maxItems", "minItems", "maxProperties", "minProperties"]

    /// The repaired tree.
    func repair(_ root: JSONValue) -> JSONValue {
        walk(root, at: "", names: false, inProperties: false)
    }

    private func walk(_ value: JSONValue, at pointer: String, names: Bool, inProperties: Bool) -> JSONValue {
        switch value {
        case .object(var object):
            if names {
                for (key, child) in object {
                    object[key] = walk(
                        child, at: JSONPointer.appending(pointer, key), names: false, inProperties: inProperties)
                }
                return .object(object)
            }
            repairNode(&object, at: pointer, isProperty: inProperties)
            for (key, child) in object where !DocumentKeys.isLiteral(key) && !Self.skipped.contains(key) {
                guard child.objectValue != nil || child.arrayValue != nil else { continue }
                let isMap = DocumentKeys.isNameMap(key, value: child)
                object[key] = walk(
                    child, at: JSONPointer.appending(pointer, key), names: isMap,
                    inProperties: isMap && key == "properties")
            }
            return .object(object)
        case .array(let array):
            return .array(
                array.enumerated().map { index, child in
                    walk(child, at: JSONPointer.appending(pointer, index), names: false, inProperties: false)
                })
        default:
            return value
        }
    }

    private func repairNode(_ object: inout JSONObject, at pointer: String, isProperty: Bool) {
        if let type = object["type"] { repairType(type, in: &object, at: pointer) }
        if !allowsTypeLists, case .array(let list) = object["items"], object["in"] == nil {
            // Draft-04 tuples: OpenAPI 3.0 and Swagger 2.0 want one `items` schema.
            let at = JSONPointer.appending(pointer, "items")
            if list.count == 1 {
                object["items"] = list[0]
                context.defect("'items' is a list of one schema; read as that schema", at: at)
            } else {
                object["items"] = list.isEmpty ? .object(JSONObject()) : .object(["anyOf": .array(list)])
                context.defect(
                    "'items' is a list of schemas (a tuple), which \(swagger ? "Swagger 2.0" : "OpenAPI 3.0") does not "
                        + "allow; read as items matching any of them", at: at)
            }
        }
        if object["type"] == .string("integer") {
            for key in ["maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum"] {
                repairIntegerBound(key, in: &object, at: pointer)
            }
        }
        for key in Self.counts {
            guard let value = object[key] else { continue }
            if case .int(let n) = value, n >= 0 { continue }
            if case .double(let d) = value, d >= 0, d.rounded() == d, d < 9e18 {
                object[key] = .int(Int64(d))
                continue
            }
            guard value.doubleValue != nil || value.intValue != nil else { continue }
            object[key] = nil
            context.defect(
                "\(key) \(value.jsonString) is not a non-negative integer; it is ignored",
                at: JSONPointer.appending(pointer, key))
        }
        if isProperty, case .bool = object["required"] {
            object["required"] = nil
            context.defect(
                "'required: true/false' on a property is not OpenAPI (list required properties in the parent "
                    + "schema's 'required' array); it is ignored", at: JSONPointer.appending(pointer, "required"))
        }
        repairURLs(&object, at: pointer)
        if case .object(let responses) = object["responses"], object["in"] == nil {
            var kept = responses
            for (code, response) in responses {
                guard let ref = response["$ref"]?.stringValue,
                    ref.hasPrefix("#/components/requestBodies/") || ref.hasPrefix("#/components/schemas/")
                        || ref.hasPrefix("#/definitions/")
                else { continue }
                kept[code] = nil
                let kind = ref.hasPrefix("#/components/requestBodies/") ? "a request body" : "a schema"
                context.defect(
                    "response \(code) refers to \(kind) ('\(ref)'), not to a response; the response is ignored",
                    at: JSONPointer.appending(JSONPointer.appending(JSONPointer.appending(pointer, "responses"), code), "$ref"))
            }
            if kept.count != responses.count {
                if kept.isEmpty { kept["default"] = .object(["description": .string("")]) }
                object["responses"] = .object(kept)
            }
        }
    }

    private func repairType(_ type: JSONValue, in object: inout JSONObject, at pointer: String) {
        let at = JSONPointer.appending(pointer, "type")
        switch type {
        case .string(let name):
            if Self.types.contains(name) || (swagger && name == "file") { return }
            if let alias = Self.aliases[name.lowercased()] {
                object["type"] = .string(alias)
                context.defect("type '\(name)' is not a JSON Schema type; read as '\(alias)'", at: at)
                if alias == "null" { object["type"] = .string("null") }
            } else if Self.types.contains(name.lowercased()) {
                object["type"] = .string(name.lowercased())
                context.defect("type '\(name)' is not a JSON Schema type; read as '\(name.lowercased())'", at: at)
            } else {
                object["type"] = nil
                context.defect("type '\(name)' is not a JSON Schema type; it is ignored (any value accepted)", at: at)
            }
        case .array(let list):
            let names = list.compactMap(\.stringValue).map { Self.aliases[$0.lowercased()] ?? $0.lowercased() }
            let known = names.filter(Self.types.contains)
            if allowsTypeLists {
                if known.count != list.count {
                    object["type"] = known.isEmpty ? nil : .array(known.map(JSONValue.string))
                    context.defect("type \(type.jsonString) has entries that are not JSON Schema types; they are ignored", at: at)
                }
                return
            }
            let nonNull = known.filter { $0 != "null" }
            let nullable = known.contains("null")
            let format = swagger ? "Swagger 2.0" : "OpenAPI 3.0"
            if nonNull.count == 1 {
                object["type"] = .string(nonNull[0])
                if nullable { object[swagger ? "x-nullable" : "nullable"] = .bool(true) }
                context.defect(
                    "type \(type.jsonString) is a list, which \(format) does not allow; read as '\(nonNull[0])'"
                        + (nullable ? ", nullable" : ""), at: at)
            } else {
                object["type"] = nil
                if nullable, nonNull.isEmpty {
                    object["type"] = .string("string")
                    object[swagger ? "x-nullable" : "nullable"] = .bool(true)
                }
                context.defect(
                    "type \(type.jsonString) is a list, which \(format) does not allow; any value is accepted", at: at)
            }
        default:
            object["type"] = nil
            context.defect("type must be a string; it is ignored (any value accepted)", at: at)
        }
    }

    private func repairIntegerBound(_ key: String, in object: inout JSONObject, at pointer: String) {
        guard case .double(let d) = object[key] else { return }
        let at = JSONPointer.appending(pointer, key)
        let lower = key.hasPrefix("min") || key == "exclusiveMinimum"
        if d >= 9_223_372_036_854_775_807.0 {
            object[key] = .int(.max)
            context.defect(
                "\(key) \(String(format: "%.0f", d)) is beyond the 64-bit integer range; \(Int64.max) is used",
                at: at)
        } else if d <= -9_223_372_036_854_775_808.0 {
            object[key] = .int(.min)
            context.defect("\(key) \(String(format: "%.0f", d)) is beyond the 64-bit integer range; \(Int64.min) is used", at: at)
        } else if d.rounded() == d {
            object[key] = .int(Int64(d))
        } else {
            let rounded = Int64(lower ? d.rounded(.up) : d.rounded(.down))
            object[key] = .int(rounded)
            context.defect("\(key) \(JSONValue.double(d).jsonString) of an integer schema is not an integer; \(rounded) is used", at: at)
        }
    }

    private func repairURLs(_ object: inout JSONObject, at pointer: String) {
        if case .object(let docs) = object["externalDocs"], !Self.isURL(docs["url"]) {
            object["externalDocs"] = nil
            context.defect(
                "externalDocs.url \(docs["url"]?.jsonString ?? "(missing)") is not a URL; externalDocs is ignored",
                at: JSONPointer.appending(JSONPointer.appending(pointer, "externalDocs"), "url"))
        }
        guard pointer == "/info" else { return }
        for key in ["contact", "license"] {
            guard case .object(var part) = object[key], let url = part["url"], !Self.isURL(url) else { continue }
            part["url"] = nil
            object[key] = .object(part)
            context.defect(
                "\(key).url \(url.jsonString) is not a URL; it is ignored",
                at: JSONPointer.appending(JSONPointer.appending(pointer, key), "url"))
        }
    }

    static func isURL(_ value: JSONValue?) -> Bool {
        guard case .string(let text) = value else { return false }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return !trimmed.isEmpty && URL(string: trimmed) != nil
    }
}
