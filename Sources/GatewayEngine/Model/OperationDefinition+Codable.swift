import Foundation

/// Stored definitions keep `inputSchema` and `outputSchema` as JSON text so that the order of schema properties
/// survives a round trip through the store (Foundation's decoders do not preserve object key order).
extension OperationDefinition {
    enum CodingKeys: String, CodingKey {
        case key, operationId, method, path, summary, toolName, description, parameters, body, inputSchema, outputSchema,
            annotations, deprecated
    }

    /// Reads the stored form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decode(String.self, forKey: .key)
        operationId = try c.decodeIfPresent(String.self, forKey: .operationId)
        method = try c.decode(String.self, forKey: .method)
        path = try c.decode(String.self, forKey: .path)
        summary = try c.decodeIfPresent(String.self, forKey: .summary)
        toolName = try c.decode(String.self, forKey: .toolName)
        description = try c.decode(String.self, forKey: .description)
        parameters = try c.decode([ParameterBinding].self, forKey: .parameters)
        body = try c.decodeIfPresent(BodyBinding.self, forKey: .body)
        inputSchema = try Self.decodeSchema(c, .inputSchema) ?? .object(["type": "object"])
        outputSchema = try Self.decodeSchema(c, .outputSchema)
        annotations = try c.decode(ToolAnnotations.self, forKey: .annotations)
        deprecated = try c.decodeIfPresent(Bool.self, forKey: .deprecated) ?? false
    }

    /// Writes the stored form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key, forKey: .key)
        try c.encodeIfPresent(operationId, forKey: .operationId)
        try c.encode(method, forKey: .method)
        try c.encode(path, forKey: .path)
        try c.encodeIfPresent(summary, forKey: .summary)
        try c.encode(toolName, forKey: .toolName)
        try c.encode(description, forKey: .description)
        try c.encode(parameters, forKey: .parameters)
        try c.encodeIfPresent(body, forKey: .body)
        try c.encode(inputSchema.jsonString, forKey: .inputSchema)
        try c.encodeIfPresent(outputSchema?.jsonString, forKey: .outputSchema)
        try c.encode(annotations, forKey: .annotations)
        try c.encode(deprecated, forKey: .deprecated)
    }

    private static func decodeSchema(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> JSONValue? {
        guard let text = try c.decodeIfPresent(String.self, forKey: key) else { return nil }
        do {
            return try JSONParser(maxDepth: 256).parse(text)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "stored schema is not JSON: \(error)")
        }
    }

    /// The definition as stored: JSON text.
    func storedText() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// Decodes a stored definition.
    public static func fromStored(_ text: String) throws -> OperationDefinition {
        try JSONDecoder().decode(OperationDefinition.self, from: Data(text.utf8))
    }
}
