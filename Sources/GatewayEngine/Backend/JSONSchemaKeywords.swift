/// The JSON Schema keywords as the gateway treats them: enforced by ``JSONSchemaValidator``, kept as annotations
/// only, or not supported.
///
/// The importer reports every unsupported keyword it finds in a tool's schema (a defect, so `--strict` refuses
/// the document): the keyword stays in the schema that clients see, but the gateway does not check arguments
/// against it. `JSONSchemaSuiteTests` runs the official test suite for the enforced keywords.
enum JSONSchemaKeywords {
    /// Keywords the validator enforces.
    static let enforced: Set<String> = [
        "type", "enum", "const", "properties", "required", "additionalProperties", "patternProperties", "items",
        "prefixItems", "additionalItems", "minItems", "maxItems", "uniqueItems", "minLength", "maxLength", "pattern",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minProperties", "maxProperties",
        "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "contains", "minContains", "maxContains",
        "propertyNames", "dependentRequired", "dependentSchemas", "dependencies", "format", "nullable",
    ]

    /// Keywords that carry information for clients and are never checked (as the specification says).
    static let annotations: Set<String> = [
        "title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly", "$comment",
        "contentEncoding", "contentMediaType", "contentSchema",
    ]

    /// Keywords that constrain values but that the validator does not enforce, each with why.
    static let unsupported: [String: String] = [
        "unevaluatedProperties": "needs annotation collection across applicators",
        "unevaluatedItems": "needs annotation collection across applicators",
        "$dynamicRef": "dynamic scopes are not resolved",
        "$recursiveRef": "dynamic scopes are not resolved",
    ]
}
