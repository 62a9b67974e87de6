import Foundation

extension OperationCompiler {
    /// The tool's `outputSchema`: the JSON schema of the first 2xx response (lowest explicit code, else `2XX`;
    /// `default` is never used), only when it is an object schema. MCP clients reject structured results that do
    /// not validate, so anything else (arrays, scalars, nullable objects, unions) gives nil. A schema without `type`
    /// that has `properties`, or an `allOf` of object schemas, is an object schema (`type: object` is added).
    func outputSchema(operation: JSONObject, operationPointer: String, key: String) throws(GatewayError)
        -> JSONValue?
    {
        guard case .object(let responses) = operation["responses"] else { return nil }
        let codes = responses.keys.compactMap { code -> (Int, String)? in
            guard code.count == 3, let value = Int(code), (200..<300).contains(value) else { return nil }
            return (value, code)
        }.sorted { $0.0 < $1.0 }
        guard let code = codes.first?.1 ?? responses.keys.first(where: { $0.uppercased() == "2XX" }),
            let value = responses[code]
        else { return nil }
        let responsesPointer = JSONPointer.appending(operationPointer, "responses")
        let (response, responsePointer) = try resolver.dereferenceObject(
            value, at: JSONPointer.appending(responsesPointer, code), what: "response")
        guard case .object(let content) = response["content"],
            let mediaKey = content.keys.first(where: { Self.essence($0) == "application/json" })
                ?? content.keys.first(where: Self.isJSON),
            let raw = content[mediaKey]?["schema"]
        else { return nil }
        let schemaPointer = JSONPointer.appending(
            JSONPointer.appending(JSONPointer.appending(responsePointer, "content"), mediaKey), "schema")
        let schema = try inliner.inline(raw, at: schemaPointer)
        guard case .object(let object) = schema, Self.isObjectSchema(schema) else {
            context.note(
                "the \(code) response of \(key) is not a JSON object; the tool declares no outputSchema",
                at: schemaPointer)
            return nil
        }
        if object["type"] == .string("object") { return schema }
        var typed: JSONObject = ["type": .string("object")]
        for (k, v) in object { typed[k] = v }
        return .object(typed)
    }

    /// `type: object`; or no `type` and `properties`; or no `type` and an `allOf` of object schemas.
    static func isObjectSchema(_ schema: JSONValue) -> Bool {
        guard case .object(let object) = schema else { return false }
        switch object["type"] {
        case .string("object"): return true
        case nil:
            if object["properties"] != nil { return true }
            guard let parts = object["allOf"]?.arrayValue, !parts.isEmpty else { return false }
            return parts.allSatisfy(isObjectSchema)
        default: return false
        }
    }
}
