import Foundation

/// Turns an OpenAPI schema into a self-contained JSON Schema (2020-12) for MCP: every local `$ref` inlined
/// (bounded), OpenAPI 3.0 idioms converted (`nullable`, boolean `exclusiveMinimum`, `example`), and keywords that
/// are not JSON Schema dropped.
///
/// A reference that is already being expanded (a cycle), or that sits deeper than ``maxRefDepth`` expansions,
/// or that comes once a schema has grown past ``maxExpansions`` expansions or ``maxNodes`` nodes (or the whole
/// document past ``maxDocumentNodes``), becomes a permissive `{}` schema carrying a description that says what was
/// left out. A top-level reference (the schema itself being a `$ref`) is always expanded one level.
final class SchemaInliner {
    /// The deepest nesting of `$ref` expansions.
    static let maxRefDepth = 8
    /// The most `$ref` expansions in one top-level schema.
    static let maxExpansions = 400
    /// The default size (in schema objects) past which one top-level schema stops expanding references.
    static let maxNodes = 10_000
    /// The size past which no schema of the document expands references any more.
    static let maxDocumentNodes = 1_000_000

    let context: SpecContext
    /// The size (in schema objects) past which one top-level schema stops expanding references; the compiler
    /// lowers it for documents with many operations so that the document-wide budget is shared fairly.
    var maxNodes = SchemaInliner.maxNodes
    /// Resolved references: target and pointer.
    private var targets: [String: (value: JSONValue, pointer: String)] = [:]
    private var expansions = 0
    private var nodes = 0
    private var documentNodes = 0
    /// Whether the document-wide budget ran out (later schemas were cut short).
    private(set) var documentBudgetExhausted = false

    init(context: SpecContext) {
        self.context = context
    }

    /// Inlines one top-level schema found at `pointer`.
    func inline(_ schema: JSONValue, at pointer: String) throws(GatewayError) -> JSONValue {
        expansions = 0
        nodes = 0
        defer { documentNodes += nodes }
        return try convert(schema, at: pointer, stack: [])
    }

    /// How a keyword's value is treated.
    private enum Keyword {
        /// One subschema.
        case schema
        /// A map of names to subschemas.
        case schemaMap
        /// An array of subschemas.
        case schemaArray
        /// One subschema, or an array of them (draft-04 tuples).
        case items
        /// Draft-07 `dependencies`: a map of subschemas or arrays of names.
        case dependencies
        /// Dropped: OpenAPI-only, or meaningless once references are inlined.
        case dropped
    }

    /// Keywords that are not copied as they are (one hash lookup per key).
    private static let keywords: [String: Keyword] = {
        var map: [String: Keyword] = [:]
        for key in [
            "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else", "unevaluatedItems",
            "unevaluatedProperties", "additionalItems", "contentSchema",
        ] { map[key] = .schema }
        for key in ["properties", "patternProperties", "dependentSchemas"] { map[key] = .schemaMap }
        for key in ["allOf", "anyOf", "oneOf", "prefixItems"] { map[key] = .schemaArray }
        for key in [
            "discriminator", "xml", "externalDocs", "nullable", "x-nullable", "example", "$schema", "$id", "$anchor",
            "$dynamicAnchor", "$dynamicRef", "$recursiveRef", "$recursiveAnchor", "$defs", "definitions",
            "$vocabulary",
        ] { map[key] = .dropped }
        map["items"] = .items
        map["dependencies"] = .dependencies
        return map
    }()
    /// Annotation keywords that may sit next to `$ref` and are merged into the inlined target.
    private static let annotationKeys: Set<String> = [
        "description", "title", "summary", "default", "examples", "example", "deprecated", "readOnly", "writeOnly",
        "nullable", "x-nullable",
    ]

    private func convert(_ schema: JSONValue, at pointer: String, stack: [String]) throws(GatewayError) -> JSONValue {
        nodes += 1
        switch schema {
        case .bool:
            return schema
        case .object(let object):
            if let ref = object["$ref"]?.stringValue {
                return try expand(ref: ref, siblings: object, at: pointer, stack: stack)
            }
            return try convertObject(object, at: pointer, stack: stack)
        default:
            return .object(JSONObject())
        }
    }

    private func expand(ref: String, siblings: JSONObject, at pointer: String, stack: [String]) throws(GatewayError)
        -> JSONValue
    {
        let refPointer = JSONPointer.appending(pointer, "$ref")
        guard let tokens = JSONPointer.tokens(ofLocalRef: ref) else {
            throw context.unsupported(context.externalMessage(ref), at: refPointer)
        }
        let name = tokens.last ?? ref
        var expanded: JSONValue
        if stack.contains(ref) {
            expanded = placeholder(tokens, "Recursive reference to \(name) (not expanded).")
        } else if stack.count >= Self.maxRefDepth {
            expanded = placeholder(tokens, "Reference to \(name) (not expanded: nesting limit).")
        } else if !stack.isEmpty
            && (expansions >= Self.maxExpansions || nodes >= maxNodes || documentNodes + nodes >= Self.maxDocumentNodes)
        {
            if documentNodes + nodes >= Self.maxDocumentNodes { documentBudgetExhausted = true }
            expanded = placeholder(tokens, "Reference to \(name) (not expanded: size limit).")
        } else {
            let target: (value: JSONValue, pointer: String)
            if let cached = targets[ref] {
                target = cached
            } else {
                guard let value = JSONPointer.resolve(tokens, in: context.root) else {
                    throw context.invalid("$ref '\(ref)' does not resolve to anything in the document", at: refPointer)
                }
                target = (value, tokens.reduce("") { JSONPointer.appending($0, $1) })
                targets[ref] = target
            }
            expansions += 1
            expanded = try convert(target.value, at: target.pointer, stack: stack + [ref])
        }
        var rest = siblings
        rest["$ref"] = nil
        guard !rest.isEmpty else { return expanded }
        let onlyAnnotations = rest.keys.allSatisfy { Self.annotationKeys.contains($0) || $0.hasPrefix("x-") }
        if context.dialect == .openAPI30 || onlyAnnotations {
            // OpenAPI 3.0 ignores siblings of $ref; their annotations (and `nullable`) are kept all the same.
            return Self.merge(annotations: rest, into: expanded)
        }
        let others = try convertObject(rest, at: pointer, stack: stack)
        return .object(["allOf": .array([expanded, others])])
    }

    /// What stands for a reference that is not expanded: the target's type (`object` when it has properties), so
    /// that a value of the right kind is still asked for, and a description saying it was simplified.
    private func placeholder(_ tokens: [String], _ why: String) -> JSONValue {
        var out = JSONObject()
        if case .object(let target)? = JSONPointer.resolve(tokens, in: context.root) {
            if case .string(let type)? = target["type"], type != "null" {
                out["type"] = .string(type)
            } else if target["properties"] != nil {
                out["type"] = .string("object")
            }
        }
        out["description"] = .string(why + " Simplified: other fields may be present.")
        return .object(out)
    }

    /// Merges the annotation keywords found next to a `$ref` into the inlined target.
    private static func merge(annotations: JSONObject, into expanded: JSONValue) -> JSONValue {
        var merged: JSONObject
        switch expanded {
        case .object(let object): merged = object
        case .bool(true): merged = JSONObject()
        default: return expanded
        }
        for key in ["description", "title", "default", "examples", "deprecated", "readOnly", "writeOnly"] {
            if let value = annotations[key] { merged[key] = value }
        }
        if let example = annotations["example"], annotations["examples"] == nil {
            merged["examples"] = .array([example])
        }
        if annotations["nullable"]?.boolValue == true || annotations["x-nullable"]?.boolValue == true {
            return makeNullable(merged)
        }
        return .object(merged)
    }

    private func convertObject(_ object: JSONObject, at pointer: String, stack: [String]) throws(GatewayError)
        -> JSONValue
    {
        var out = JSONObject()
        for (key, value) in object {
            guard let keyword = Self.keywords[key] else {
                if key == "description", case .string(let text) = value {
                    out[key] = .string(DescriptionText.markdown(text))
                } else if !key.hasPrefix("x-") {
                    out[key] = value
                }
                continue
            }
            let childPointer = JSONPointer.appending(pointer, key)
            if let why = JSONSchemaKeywords.unsupported[key] {
                context.defect("keyword \(key) is not enforced by the gateway (\(why)); values are not checked against it", at: childPointer)
            }
            switch (keyword, value) {
            case (.dropped, _):
                continue
            case (.schema, .object), (.schema, .bool), (.items, .object), (.items, .bool):
                out[key] = try convert(value, at: childPointer, stack: stack)
            case (.schemaMap, .object(let map)), (.dependencies, .object(let map)):
                var converted = JSONObject()
                for (name, sub) in map {
                    converted[name] =
                        sub.arrayValue != nil
                        ? sub : try convert(sub, at: JSONPointer.appending(childPointer, name), stack: stack)
                }
                out[key] = .object(converted)
            case (.schemaArray, .array(let list)), (.items, .array(let list)):
                var converted: [JSONValue] = []
                for (index, sub) in list.enumerated() {
                    converted.append(try convert(sub, at: JSONPointer.appending(childPointer, index), stack: stack))
                }
                out[key] = .array(converted)
            default:
                out[key] = value
            }
        }
        if case .string("file") = out["type"] {
            out["type"] = .string("string")
            if out["format"] == nil { out["format"] = .string("binary") }
        }
        if let example = object["example"], out["examples"] == nil {
            out["examples"] = .array([example])
        }
        Self.convertExclusiveBound(&out, bound: "minimum", exclusive: "exclusiveMinimum")
        Self.convertExclusiveBound(&out, bound: "maximum", exclusive: "exclusiveMaximum")
        if object["nullable"]?.boolValue == true || object["x-nullable"]?.boolValue == true {
            return Self.makeNullable(out)
        }
        return .object(out)
    }

    /// Draft-04 boolean `exclusiveMinimum: true` + `minimum: n` → 2020-12 `exclusiveMinimum: n`.
    private static func convertExclusiveBound(_ schema: inout JSONObject, bound: String, exclusive: String) {
        guard case .bool(let flag) = schema[exclusive] else { return }
        schema[exclusive] = nil
        if flag, let value = schema[bound] {
            schema[bound] = nil
            schema[exclusive] = value
        }
    }

    /// OpenAPI 3.0 `nullable: true`: `type: T` → `type: [T, "null"]`, `null` added to `enum`; a schema without
    /// `type` becomes `anyOf: [schema, {type: null}]`.
    static func makeNullable(_ schema: JSONObject) -> JSONValue {
        var out = schema
        switch out["type"] {
        case .string(let type):
            out["type"] = type == "null" ? .string(type) : .array([.string(type), .string("null")])
        case .array(var types):
            if !types.contains(.string("null")) { types.append(.string("null")) }
            out["type"] = .array(types)
        default:
            if out.isEmpty || (out.keys.allSatisfy { annotationKeys.contains($0) }) { return .object(out) }
            var annotations = JSONObject()
            var rest = JSONObject()
            for (key, value) in out {
                if key == "description" || key == "title" { annotations[key] = value } else { rest[key] = value }
            }
            annotations["anyOf"] = .array([.object(rest), .object(["type": .string("null")])])
            return .object(annotations)
        }
        if case .array(var values) = out["enum"], !values.contains(.null) {
            values.append(.null)
            out["enum"] = .array(values)
        }
        if let constant = out["const"], constant != .null {
            out["const"] = nil
            out["enum"] = .array([constant, .null])
        }
        return .object(out)
    }
}
