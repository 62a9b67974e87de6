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
    mutating func convertParameter(_ parameter: RawParameter) -> JSONValue {
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
            switch format {
            case "multi":
                out["style"] = .string("form")
                out["explode"] = .bool(true)
            case "ssv":
                out["style"] = .string(simple ? "simple" : "spaceDelimited")
                out["explode"] = .bool(false)
            case "pipes":
                out["style"] = .string(simple ? "simple" : "pipeDelimited")
                out["explode"] = .bool(false)
            default:
                if format != "csv" {
                    warnings.append(
                        "\(context.location(parameter.pointer)): collectionFormat '\(format)' has no OpenAPI 3 "
                            + "equivalent; comma-separated is used")
                }
                out["style"] = .string(simple ? "simple" : "form")
                out["explode"] = .bool(false)
            }
        }
        return .object(out)
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
    mutating func requestBody(_ parameters: [RawParameter], consumes: [String], at pointer: String) -> JSONObject? {
        if let body = parameters.first(where: { $0.location == "body" }) {
            if parameters.contains(where: { $0.location == "formData" }) {
                warnings.append(
                    "\(context.location(pointer)): both body and formData parameters; the formData ones are ignored")
            }
            var out = JSONObject()
            if let description = body.object["description"] { out["description"] = description }
            out["required"] = .bool(body.object["required"]?.boolValue == true)
            let schema = body.object["schema"] ?? .object(JSONObject())
            var content = JSONObject()
            let types = consumes.filter { !Self.isFormType($0) }
            for type in types.isEmpty ? ["application/json"] : types {
                content[type] = .object(["schema": schema])
            }
            out["content"] = .object(content)
            return out
        }
        let form = parameters.filter { $0.location == "formData" }
        guard !form.isEmpty else { return nil }
        var properties = JSONObject()
        var required: [JSONValue] = []
        var hasFile = false
        for parameter in form {
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
        return [
            "required": .bool(!required.isEmpty),
            "content": .object([type: .object(["schema": .object(schema)])]),
        ]
    }

    private static func isFormType(_ type: String) -> Bool {
        let lower = type.lowercased()
        return lower.hasPrefix("multipart/form-data") || lower.hasPrefix("application/x-www-form-urlencoded")
    }
}
