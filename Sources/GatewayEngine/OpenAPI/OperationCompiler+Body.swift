import Foundation

/// A request body compiled for the tool: its binding and the input properties it contributes.
struct CompiledBody {
    var binding: BodyBinding
    /// The tool input properties (one per body property when flattened, else the single body argument).
    var properties: [(name: String, schema: JSONValue)]
    /// The input properties that are required.
    var required: [String]
}

extension OperationCompiler {
    /// Keywords that make a body schema unsafe to flatten into separate arguments.
    private static let compositionKeys = ["allOf", "anyOf", "oneOf", "not", "if", "$ref"]

    /// The operation's request body, if any: JSON (or `+json`) preferred, then form, then multipart, then the first
    /// media type. An object body with `properties` whose names do not collide with `arguments` is flattened
    /// (its `readOnly` properties left out).
    func requestBody(operation: JSONObject, operationPointer: String, arguments: Set<String>) throws(GatewayError)
        -> CompiledBody?
    {
        guard let value = operation["requestBody"] else { return nil }
        let (body, bodyPointer) = try resolver.dereferenceObject(
            value, at: JSONPointer.appending(operationPointer, "requestBody"), what: "request body")
        let required = body["required"]?.boolValue == true
        guard case .object(let content) = body["content"], let mediaKey = Self.preferredMediaType(content.keys) else {
            context.defect("request body has no content; it is ignored", at: bodyPointer)
            return nil
        }
        let mediaPointer = JSONPointer.appending(JSONPointer.appending(bodyPointer, "content"), mediaKey)
        var schema: JSONValue
        if let raw = content[mediaKey]?["schema"] {
            schema = try inliner.inline(raw, at: JSONPointer.appending(mediaPointer, "schema"))
        } else if Self.isJSON(mediaKey) || Self.isForm(mediaKey) {
            schema = .object(JSONObject())
        } else {
            schema = .object(["type": .string("string")])
        }
        let contentType = Self.concreteContentType(mediaKey, schema: schema)
        var encoding = Self.encoding(content[mediaKey]?["encoding"])
        if Self.essence(contentType) == "multipart/form-data" { encoding = Self.partTypes(schema, encoding) }
        if Self.isJSON(contentType) || Self.isForm(contentType),
            case .object(let object) = schema,
            object["type"] == nil || object["type"] == .string("object"),
            case .object(let properties) = object["properties"],
            !Self.compositionKeys.contains(where: { object[$0] != nil })
        {
            // readOnly properties are not sent in requests (OpenAPI), so they are not arguments.
            let names = properties.keys.filter { properties[$0]?["readOnly"] != .bool(true) }
            if !names.isEmpty, !names.contains(where: arguments.contains) {
                let requiredNames = (object["required"]?.arrayValue ?? []).compactMap(\.stringValue)
                return CompiledBody(
                    binding: BodyBinding(
                        contentType: contentType, required: required, mode: .flattened, properties: names,
                        encoding: encoding),
                    properties: names.map { ($0, properties[$0]!) },
                    required: names.filter(requiredNames.contains))
            }
        }
        var argument = "body"
        var n = 2
        if arguments.contains(argument) { argument = "requestBody" }
        while arguments.contains(argument) {
            argument = "body_\(n)"
            n += 1
        }
        schema = Self.annotate(schema, description: body["description"]?.stringValue, deprecated: false)
        return CompiledBody(
            binding: BodyBinding(
                contentType: contentType, required: required, mode: .whole, argument: argument, encoding: encoding),
            properties: [(argument, schema)],
            required: required ? [argument] : [])
    }

    /// A media type's `encoding` object (Swagger `tsv` arrays, carried as `x-collectionFormat`, become
    /// `tabDelimited`).
    static func encoding(_ value: JSONValue?) -> [String: PropertyEncoding]? {
        guard case .object(let map) = value, !map.isEmpty else { return nil }
        var out: [String: PropertyEncoding] = [:]
        for (name, entry) in map {
            guard case .object(let e) = entry else { continue }
            var style = e["style"]?.stringValue
            if let format = e["x-collectionFormat"]?.stringValue, let delimited = delimitedStyles[format] { style = delimited }
            out[name] = PropertyEncoding(
                style: style, explode: e["explode"]?.boolValue, allowReserved: e["allowReserved"]?.boolValue,
                contentType: e["contentType"]?.stringValue)
        }
        return out.isEmpty ? nil : out
    }

    /// Multipart parts whose Encoding object names no `contentType` get the specification's default for their
    /// schema: `application/octet-stream` for binary strings (`format: binary`, or `contentEncoding`) and for the
    /// empty schema `{}`, or the
    /// schema's `contentMediaType`; arrays by their items. Primitives stay `text/plain` (no header) and objects JSON.
    static func partTypes(_ schema: JSONValue, _ encoding: [String: PropertyEncoding]?) -> [String: PropertyEncoding]? {
        guard case .object(let properties)? = schema["properties"] else { return encoding }
        var out = encoding ?? [:]
        for (name, property) in properties where out[name]?.contentType == nil {
            let leaf = property["type"] == .string("array") ? (property["items"] ?? .object([:])) : property
            let type: String?
            if let media = leaf["contentMediaType"]?.stringValue {
                type = media
            } else if leaf["format"] == .string("binary") || leaf["contentEncoding"] != nil || leaf == .object([:]) {
                type = "application/octet-stream"
            } else {
                type = nil
            }
            guard let type else { continue }
            var entry = out[name] ?? PropertyEncoding()
            entry.contentType = type
            out[name] = entry
        }
        return out.isEmpty ? nil : out
    }

    /// The media type without parameters, lower-cased.
    static func essence(_ mediaType: String) -> String {
        String(mediaType.split(separator: ";", maxSplits: 1).first ?? "")
            .trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// `application/json`, `*/*+json`, `*/json`.
    static func isJSON(_ mediaType: String) -> Bool {
        let type = essence(mediaType)
        return type == "application/json" || type.hasSuffix("+json") || type.hasSuffix("/json")
    }

    /// `application/x-www-form-urlencoded` or `multipart/form-data`.
    static func isForm(_ mediaType: String) -> Bool {
        let type = essence(mediaType)
        return type == "application/x-www-form-urlencoded" || type == "multipart/form-data"
    }

    /// The request media type to use among `keys`.
    static func preferredMediaType(_ keys: [String]) -> String? {
        keys.first { essence($0) == "application/json" }
            ?? keys.first { isJSON($0) }
            ?? keys.first { essence($0) == "application/x-www-form-urlencoded" }
            ?? keys.first { essence($0) == "multipart/form-data" }
            ?? keys.first
    }

    /// The content type to send: the media type's essence; a wildcard (`*/*`, `application/*`) becomes JSON, or
    /// `application/octet-stream` for a binary string schema.
    static func concreteContentType(_ mediaType: String, schema: JSONValue) -> String {
        let type = essence(mediaType)
        guard type.contains("*") || type.isEmpty else { return type }
        if schema["type"] == .string("string"), schema["format"] == .string("binary") {
            return "application/octet-stream"
        }
        return "application/json"
    }
}
