import Foundation

/// A Swagger 2.0 parameter with its `$ref` followed.
struct RawParameter {
    var name: String
    /// `query`, `header`, `path`, `formData` or `body`.
    var location: String
    var object: JSONObject
    var pointer: String
}

extension Swagger2Converter {
    /// Keywords a non-body Swagger parameter (or header, or `items`) shares with JSON Schema.
    static let simpleSchemaKeys = [
        "type", "format", "enum", "default", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
        "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "multipleOf", "x-nullable",
    ]

    /// The parameters of a `parameters` array, references followed.
    func rawParameters(_ value: JSONValue?, at pointer: String) throws(GatewayError) -> [RawParameter] {
        guard let value else { return [] }
        guard case .array(let list) = value else { throw context.invalid("parameters must be an array", at: pointer) }
        var out: [RawParameter] = []
        for (index, entry) in list.enumerated() {
            let entryPointer = JSONPointer.appending(pointer, index)
            let resolver = ReferenceResolver(context: context)
            let (object, objectPointer) = try resolver.dereferenceObject(entry, at: entryPointer, what: "parameter")
            guard let name = object["name"]?.stringValue else {
                throw context.invalid("parameter has no name", at: objectPointer)
            }
            guard let location = object["in"]?.stringValue,
                ["query", "header", "path", "formData", "body"].contains(location)
            else {
                throw context.invalid(
                    "parameter '\(name)' has an invalid 'in' (expected query, header, path, formData or body)",
                    at: JSONPointer.appending(objectPointer, "in"))
            }
            out.append(RawParameter(name: name, location: location, object: object, pointer: objectPointer))
        }
        return out
    }

    /// A query/header/path parameter → an OpenAPI 3.0 parameter with a `schema`.
    func convertParameter(_ parameter: RawParameter) -> JSONValue {
        let object = parameter.object
        var out = JSONObject()
        out["name"] = .string(parameter.name)
        out["in"] = .string(parameter.location)
        for key in ["description", "deprecated", "allowEmptyValue"] { out[key] = object[key] }
        out["required"] = .bool(parameter.location == "path" || object["required"]?.boolValue == true)
        out["schema"] = .object(Self.simpleSchema(object))
        if object["type"]?.stringValue == "array" {
            let format = object["collectionFormat"]?.stringValue ?? "csv"
            let simple = parameter.location == "path" || parameter.location == "header"
            let (style, explode, exact) = Self.style(collectionFormat: format, simple: simple)
            out["style"] = .string(style)
            out["explode"] = .bool(explode)
            // No OpenAPI 3 style says "space/pipe/tab-separated" in a path or header, nor "tab-separated" anywhere:
            // the format travels beside the style (OpenAPIKit does not read vendor extensions).
            if !exact { out["x-collectionFormat"] = .string(format) }
            if !["csv", "ssv", "tsv", "pipes", "multi"].contains(format) || (format == "multi" && simple) {
                context.defect(
                    "collectionFormat '\(format)' is not allowed here (csv, ssv, tsv, pipes, or multi in query and "
                        + "formData); comma-separated is used",
                    at: JSONPointer.appending(parameter.pointer, "collectionFormat"))
            }
        }
        return .object(out)
    }

    /// The OpenAPI 3 `style`/`explode` for a Swagger `collectionFormat`, and whether it says exactly the same.
    static func style(collectionFormat format: String, simple: Bool) -> (style: String, explode: Bool, exact: Bool) {
        switch format {
        case "multi" where !simple: ("form", true, true)
        case "ssv": simple ? ("simple", false, false) : ("spaceDelimited", false, true)
        case "pipes": simple ? ("simple", false, false) : ("pipeDelimited", false, true)
        case "tsv": (simple ? "simple" : "form", false, false)
        default: (simple ? "simple" : "form", false, true)
        }
    }

    /// The JSON Schema of a non-body parameter, header or `items` object.
    static func simpleSchema(_ object: JSONObject) -> JSONObject {
        var schema = JSONObject()
        for key in simpleSchemaKeys {
            if let value = object[key] { schema[key] = value }
        }
        if case .object(let items) = object["items"] {
            schema["items"] = .object(items["$ref"] != nil ? items : simpleSchema(items))
        }
        if schema["type"] == .string("file") {
            schema["type"] = .string("string")
            schema["format"] = .string("binary")
        }
        return schema
    }

    /// The OpenAPI 3.0 `requestBody` for the operation's `body` or `formData` parameters; nil when it has none.
    func requestBody(_ parameters: [RawParameter], consumes: [String], at pointer: String) -> JSONObject? {
        let bodyPointer = JSONPointer.appending(pointer, "requestBody")
        if let body = parameters.first(where: { $0.location == "body" }) {
            if let form = parameters.first(where: { $0.location == "formData" }) {
                context.defect(
                    "an operation cannot have both body and formData parameters; the formData ones are ignored",
                    at: form.pointer)
            }
            origin.map(bodyPointer, to: body.pointer)
            var out = JSONObject()
            if let description = body.object["description"] { out["description"] = description }
            out["required"] = .bool(body.object["required"]?.boolValue == true)
            let schema = body.object["schema"] ?? .object(JSONObject())
            var content = JSONObject()
            let types = consumes.filter { !Self.isFormType($0) }
            for type in types.isEmpty ? ["application/json"] : types {
                content[type] = .object(["schema": schema])
                origin.map(
                    JSONPointer.appending(JSONPointer.appending(JSONPointer.appending(bodyPointer, "content"), type), "schema"),
                    to: JSONPointer.appending(body.pointer, "schema"))
            }
            out["content"] = .object(content)
            return out
        }
        let form = parameters.filter { $0.location == "formData" }
        guard !form.isEmpty else { return nil }
        var properties = JSONObject()
        var required: [JSONValue] = []
        var hasFile = false
        var encoding = JSONObject()
        for parameter in form {
            if parameter.object["type"]?.stringValue == "array" {
                let format = parameter.object["collectionFormat"]?.stringValue ?? "csv"
                let (style, explode, exact) = Self.style(collectionFormat: format, simple: false)
                var entry: JSONObject = ["style": .string(style), "explode": .bool(explode)]
                if !exact { entry["x-collectionFormat"] = .string(format) }
                encoding[parameter.name] = .object(entry)
            }
            var schema = Self.simpleSchema(parameter.object)
            if parameter.object["type"]?.stringValue == "file" { hasFile = true }
            if let description = parameter.object["description"] { schema["description"] = description }
            properties[parameter.name] = .object(schema)
            if parameter.object["required"]?.boolValue == true { required.append(.string(parameter.name)) }
        }
        var schema: JSONObject = ["type": .string("object"), "properties": .object(properties)]
        if !required.isEmpty { schema["required"] = .array(required) }
        let multipart = hasFile || consumes.contains { $0.lowercased().hasPrefix("multipart/form-data") }
        let type = multipart ? "multipart/form-data" : "application/x-www-form-urlencoded"
        let propertiesPointer = JSONPointer.appending(
            JSONPointer.appending(JSONPointer.appending(JSONPointer.appending(bodyPointer, "content"), type), "schema"),
            "properties")
        for parameter in form {
            origin.map(JSONPointer.appending(propertiesPointer, parameter.name), to: parameter.pointer)
        }
        if let first = form.first { origin.map(bodyPointer, to: first.pointer) }
        var media: JSONObject = ["schema": .object(schema)]
        if !encoding.isEmpty { media["encoding"] = .object(encoding) }
        return [
            "required": .bool(!required.isEmpty),
            "content": .object([type: .object(media)]),
        ]
    }

    private static func isFormType(_ type: String) -> Bool {
        let lower = type.lowercased()
        return lower.hasPrefix("multipart/form-data") || lower.hasPrefix("application/x-www-form-urlencoded")
    }
}
