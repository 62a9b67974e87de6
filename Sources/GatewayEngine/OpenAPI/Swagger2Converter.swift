import Foundation

/// Converts a Swagger 2.0 tree into an OpenAPI 3.0 tree that OpenAPIKit and the operation compiler understand.
///
/// - `definitions` → `components.schemas`, `responses` → `components.responses` (and their `$ref`s rewritten);
///   `parameters` references are inlined where they are used.
/// - `body` parameters → `requestBody` (one media type per `consumes`, default `application/json`);
///   `formData` parameters → a `multipart/form-data` or `application/x-www-form-urlencoded` object body.
/// - Other parameters get a `schema` built from their own `type`/`format`/`items`/`enum`/…, and a `style`/`explode`
///   from `collectionFormat`.
/// - Response `schema`s → `content` (one media type per `produces`, default `application/json`).
/// - `securityDefinitions` and `security` are dropped; the base URL comes from `schemes`/`host`/`basePath` elsewhere.
struct Swagger2Converter {
    /// The context of the original Swagger document (errors point into it).
    let context: SpecContext
    /// Where each part of the converted tree comes from in the Swagger document.
    let origin = PointerMap()

    private var resolver: ReferenceResolver { ReferenceResolver(context: context) }

    static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    init(context: SpecContext) {
        self.context = context
    }

    /// The converted OpenAPI 3.0 tree.
    func convert() throws(GatewayError) -> JSONValue {
        guard case .object(let top) = context.root else {
            throw context.invalid("document root must be an object", at: "")
        }
        let consumes = Self.strings(top["consumes"])
        let produces = Self.strings(top["produces"])
        var out = JSONObject()
        out["openapi"] = .string("3.0.3")
        out["info"] = top["info"]
        var components = JSONObject()
        origin.map("/components/schemas", to: "/definitions")
        origin.map("/components/responses", to: "/responses")
        if case .object(let definitions) = top["definitions"] {
            components["schemas"] = .object(definitions)
        }
        if case .object(let responses) = top["responses"] {
            var converted = JSONObject()
            for (name, response) in responses {
                converted[name] = convertResponse(
                    response, produces: produces, at: JSONPointer.appending("/components/responses", name),
                    from: JSONPointer.appending("/responses", name))
            }
            components["responses"] = .object(converted)
        }
        if !components.isEmpty { out["components"] = .object(components) }
        if let pathsValue = top["paths"] {
            guard case .object(let paths) = pathsValue else {
                throw context.invalid("paths must be an object", at: "/paths")
            }
            var converted = JSONObject()
            for (path, item) in paths where !path.hasPrefix("x-") {
                let pointer = JSONPointer.appending("/paths", path)
                converted[path] = try convertPathItem(item, at: pointer, consumes: consumes, produces: produces)
            }
            out["paths"] = .object(converted)
        } else {
            out["paths"] = .object(JSONObject())
        }
        return Self.fixTree(.object(out))
    }

    private func convertPathItem(_ item: JSONValue, at pointer: String, consumes: [String], produces: [String])
        throws(GatewayError) -> JSONValue
    {
        guard case .object(let object) = item else { throw context.invalid("path item must be an object", at: pointer) }
        if object["$ref"] != nil { return item }
        let pathParameters = try rawParameters(object["parameters"], at: JSONPointer.appending(pointer, "parameters"))
        var out = JSONObject()
        for (key, value) in object where Self.methods.contains(key) {
            let operationPointer = JSONPointer.appending(pointer, key)
            do throws(GatewayError) {
                guard case .object(let operation) = value else {
                    throw context.invalid("operation must be an object", at: operationPointer)
                }
                out[key] = .object(
                    try convertOperation(
                        operation, at: operationPointer, pathParameters: pathParameters, consumes: consumes,
                        produces: produces))
            } catch {
                let path = JSONPointer.tokens(ofLocalRef: "#" + pointer)?.last ?? pointer
                context.diagnostics.defect(
                    "\(error.message); operation \(key.uppercased()) \(path) is skipped", at: error.location)
            }
        }
        return .object(out)
    }

    private func convertOperation(
        _ operation: JSONObject, at pointer: String, pathParameters: [RawParameter], consumes: [String],
        produces: [String]
    ) throws(GatewayError) -> JSONObject {
        var out = JSONObject()
        for key in ["operationId", "summary", "description", "deprecated"] { out[key] = operation[key] }
        let consumes = operation["consumes"].map(Self.strings) ?? consumes
        let produces = operation["produces"].map(Self.strings) ?? produces
        var parameters = pathParameters
        let own = try rawParameters(operation["parameters"], at: JSONPointer.appending(pointer, "parameters"))
        for parameter in own {
            let same = { (other: RawParameter) in other.name == parameter.name && other.location == parameter.location }
            if let index = parameters.firstIndex(where: same) {
                parameters[index] = parameter
            } else {
                parameters.append(parameter)
            }
        }
        let plain = parameters.filter { $0.location != "body" && $0.location != "formData" }
        for (index, parameter) in plain.enumerated() {
            let converted = JSONPointer.appending(JSONPointer.appending(pointer, "parameters"), index)
            origin.map(converted, to: parameter.pointer)
            origin.map(JSONPointer.appending(converted, "schema"), to: parameter.pointer)
        }
        if !plain.isEmpty { out["parameters"] = .array(plain.map { convertParameter($0) }) }
        if let body = requestBody(parameters, consumes: consumes, at: pointer) { out["requestBody"] = .object(body) }
        if case .object(let responses) = operation["responses"] {
            var converted = JSONObject()
            let responsesPointer = JSONPointer.appending(pointer, "responses")
            for (code, response) in responses where !code.hasPrefix("x-") {
                let at = JSONPointer.appending(responsesPointer, code)
                converted[code] = convertResponse(response, produces: produces, at: at, from: at)
            }
            out["responses"] = .object(converted)
        } else if let responses = operation["responses"] {
            out["responses"] = responses
        }
        return out
    }

    /// A Swagger response → an OpenAPI 3.0 response; `at` is its pointer in the converted tree, `from` in the
    /// Swagger document.
    private func convertResponse(_ response: JSONValue, produces: [String], at: String, from: String) -> JSONValue {
        origin.map(at, to: from)
        guard case .object(let object) = response, object["$ref"] == nil else { return response }
        var out = JSONObject()
        out["description"] = object["description"] ?? .string("")
        if case .object(let headers) = object["headers"] {
            var converted = JSONObject()
            for (name, header) in headers {
                guard case .object(let h) = header else { continue }
                var item = JSONObject()
                let headerPointer = JSONPointer.appending(JSONPointer.appending(at, "headers"), name)
                origin.map(JSONPointer.appending(headerPointer, "schema"), to: JSONPointer.appending(JSONPointer.appending(from, "headers"), name))
                if let description = h["description"] { item["description"] = description }
                item["schema"] = .object(Self.simpleSchema(h))
                converted[name] = .object(item)
            }
            out["headers"] = .object(converted)
        }
        if let schema = object["schema"] {
            var content = JSONObject()
            for type in produces.isEmpty ? ["application/json"] : produces {
                content[type] = .object(["schema": schema])
                let converted = JSONPointer.appending(JSONPointer.appending(JSONPointer.appending(at, "content"), type), "schema")
                origin.map(converted, to: JSONPointer.appending(from, "schema"))
            }
            out["content"] = .object(content)
        }
        return .object(out)
    }

    /// The strings of an array value.
    static func strings(_ value: JSONValue?) -> [String] {
        value?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// Rewrites `$ref`s to OpenAPI 3.0 locations, and Swagger-only schema forms (`discriminator: "name"`,
    /// `type: file`) to OpenAPI 3.0 ones, throughout the tree (literal data excepted). In a name map (`properties`,
    /// `definitions`…) every key is a name, so a property called `enum` or `default` is converted like any other.
    static func fixTree(_ value: JSONValue, names: Bool = false) -> JSONValue {
        switch value {
        case .object(let object):
            var out = JSONObject()
            for (key, child) in object {
                if names {
                    out[key] = fixTree(child)
                } else if DocumentKeys.isLiteral(key) {
                    out[key] = child
                } else if key == "$ref", case .string(let ref) = child {
                    out[key] = .string(rewrite(ref))
                } else if key == "discriminator", case .string(let property) = child {
                    out[key] = .object(["propertyName": .string(property)])
                } else if key == "type", child == .string("file") {
                    out[key] = .string("string")
                    if object["format"] == nil { out["format"] = .string("binary") }
                } else {
                    out[key] = fixTree(child, names: DocumentKeys.isNameMap(key, value: child))
                }
            }
            return .object(out)
        case .array(let array):
            return .array(array.map { fixTree($0) })
        default:
            return value
        }
    }

    private static func rewrite(_ ref: String) -> String {
        for (old, new) in [
            ("#/definitions/", "#/components/schemas/"), ("#/responses/", "#/components/responses/"),
            ("#/parameters/", "#/components/parameters/"),
        ] where ref.hasPrefix(old) {
            return new + ref.dropFirst(old.count)
        }
        return ref
    }
}
