import Foundation

/// A parameter compiled for the tool: its binding and its (inlined) property schema.
struct CompiledParameter {
    var binding: ParameterBinding
    var schema: JSONValue
}

extension OperationCompiler {
    /// Header parameters that OpenAPI says to ignore (the engine sets these itself).
    static let ignoredHeaders: Set<String> = ["accept", "content-type", "authorization"]

    private struct Declared {
        var name: String
        var location: ParameterLocation
        var object: JSONObject
        var pointer: String
    }

    /// The path-item and operation parameters merged (the operation's override by name and location), plus any
    /// `{name}` of the path template that no parameter declares.
    func parameters(
        path: String, pathItem: JSONObject, pathItemPointer: String, operation: JSONObject, operationPointer: String
    ) throws(GatewayError) -> [CompiledParameter] {
        var declared: [Declared] = []
        for (container, pointer) in [(pathItem, pathItemPointer), (operation, operationPointer)] {
            guard let value = container["parameters"] else { continue }
            let listPointer = JSONPointer.appending(pointer, "parameters")
            guard case .array(let list) = value else {
                throw context.invalid("parameters must be an array", at: listPointer)
            }
            for (index, entry) in list.enumerated() {
                let (object, objectPointer) = try resolver.dereferenceObject(
                    entry, at: JSONPointer.appending(listPointer, index), what: "parameter")
                guard let name = object["name"]?.stringValue, !name.isEmpty else {
                    throw context.invalid("parameter has no name", at: objectPointer)
                }
                guard let raw = object["in"]?.stringValue, let location = ParameterLocation(rawValue: raw) else {
                    throw context.invalid(
                        "parameter '\(name)' has an invalid 'in' (expected path, query, header or cookie)",
                        at: JSONPointer.appending(objectPointer, "in"))
                }
                if location == .header, Self.ignoredHeaders.contains(name.lowercased()) { continue }
                let parameter = Declared(name: name, location: location, object: object, pointer: objectPointer)
                if let index = declared.firstIndex(where: { $0.name == name && $0.location == location }) {
                    declared[index] = parameter
                } else {
                    declared.append(parameter)
                }
            }
        }
        for name in Self.templateVariables(path)
        where !declared.contains(where: { $0.name == name && $0.location == .path }) {
            context.defect(
                "path parameter '\(name)' is not declared; it is exposed as a required string",
                at: operationPointer)
            declared.append(
                Declared(
                    name: name, location: .path, object: ["name": .string(name), "in": .string("path")],
                    pointer: operationPointer))
        }
        var counts: [String: Int] = [:]
        for parameter in declared { counts[parameter.name, default: 0] += 1 }
        var out: [CompiledParameter] = []
        var used: Set<String> = []
        var headerTokens: Set<String> = []
        for parameter in declared {
            var argument =
                counts[parameter.name, default: 0] > 1
                ? "\(parameter.location.rawValue)_\(parameter.name)" : parameter.name
            if used.contains(argument) {
                var n = 2
                while used.contains("\(argument)_\(n)") { n += 1 }
                argument = "\(argument)_\(n)"
            }
            used.insert(argument)
            var compiled = try compile(parameter, argument: argument)
            if parameter.location == .header, headerTokens.insert(parameter.name.lowercased()).inserted {
                compiled.schema = Self.mirroredHeader(compiled.schema, name: parameter.name)
            }
            out.append(compiled)
        }
        return out
    }

    /// A header parameter of a primitive type is declared for 2026-07-28 clients to mirror into
    /// `Mcp-Param-{name}` (`x-mcp-header`), so routing intermediaries see it as the backend will; the gateway then
    /// checks the header against the argument. Parameters of other types (or names that are no header token) are
    /// left as they are: the annotation would make the whole tool invalid for those clients.
    static func mirroredHeader(_ schema: JSONValue, name: String) -> JSONValue {
        guard case .object(var o) = schema, let type = o["type"]?.stringValue, ["string", "integer", "boolean"].contains(type),
            o[ModernEnvelope.headerAnnotation] == nil, !name.isEmpty,
            name.utf8.allSatisfy({ c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || "!#$%&'*+-.^_`|~".utf8.contains(c)
            })
        else { return schema }
        o[ModernEnvelope.headerAnnotation] = .string(name)
        return .object(o)
    }

    private func compile(_ parameter: Declared, argument: String) throws(GatewayError) -> CompiledParameter {
        let object = parameter.object
        let defaultStyle = parameter.location == .path || parameter.location == .header ? "simple" : "form"
        var style = object["style"]?.stringValue ?? defaultStyle
        var explode = object["explode"]?.boolValue ?? (style == "form")
        if let format = object["x-collectionFormat"]?.stringValue, let delimited = Self.delimitedStyles[format] {
            // Swagger 2.0 ssv/pipes in a path or header, tsv anywhere (see Swagger2Converter).
            style = delimited
            explode = false
        }
        var contentType: String?
        var schema: JSONValue
        if let raw = object["schema"] {
            schema = try inliner.inline(raw, at: JSONPointer.appending(parameter.pointer, "schema"))
        } else if case .object(let content) = object["content"], let type = content.keys.first,
            let media = content[type]
        {
            contentType = type
            let mediaPointer = JSONPointer.appending(JSONPointer.appending(parameter.pointer, "content"), type)
            if let raw = media["schema"] {
                schema = try inliner.inline(raw, at: JSONPointer.appending(mediaPointer, "schema"))
            } else {
                schema = .object(JSONObject())
            }
        } else if parameter.location == .path {
            schema = .object(["type": .string("string")])
        } else {
            schema = .object(JSONObject())
        }
        schema = Self.annotate(
            schema, description: object["description"]?.stringValue,
            deprecated: object["deprecated"]?.boolValue == true)
        let binding = ParameterBinding(
            name: parameter.name, location: parameter.location, argument: argument,
            required: parameter.location == .path || object["required"]?.boolValue == true,
            style: style, explode: explode,
            allowReserved: parameter.location == .query && object["allowReserved"]?.boolValue == true,
            contentType: contentType)
        return CompiledParameter(binding: binding, schema: schema)
    }

    /// Swagger 2.0 collection formats without an OpenAPI 3 style everywhere, as the builder's delimited styles.
    static let delimitedStyles = ["ssv": "spaceDelimited", "pipes": "pipeDelimited", "tsv": "tabDelimited"]

    /// Copies a description (when the schema has none) and `deprecated: true` into a property schema.
    static func annotate(_ schema: JSONValue, description: String?, deprecated: Bool) -> JSONValue {
        var object: JSONObject
        switch schema {
        case .object(let o): object = o
        case .bool(true): object = JSONObject()
        default: return schema
        }
        if let description, !description.isEmpty, object["description"] == nil {
            object["description"] = .string(DescriptionText.markdown(description))
        }
        if deprecated { object["deprecated"] = .bool(true) }
        return .object(object)
    }

    /// The `{name}`s of a path template, in order, without duplicates.
    static func templateVariables(_ path: String) -> [String] {
        var names: [String] = []
        var rest = Substring(path)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            let name = String(rest[rest.index(after: open)..<close])
            if !name.isEmpty, !names.contains(name) { names.append(name) }
            rest = rest[rest.index(after: close)...]
        }
        return names
    }
}
