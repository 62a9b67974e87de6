import Foundation

/// Imports an OpenAPI 3.0 / 3.1 or Swagger 2.0 document (JSON or YAML) and compiles each operation into an
/// ``OperationDefinition`` the engine can expose as an MCP tool.
///
/// - The document is read into a JSON tree (bounded: 20 MiB, nesting depth, YAML alias expansion), its
///   structure checked by decoding it with OpenAPIKit, and operations compiled from the raw tree so that
///   schemas keep every keyword as written.
/// - Only local `$ref`s (`#/...`) are followed; any other reference refuses the import with `.unsupportedSpec`.
///   Nothing is ever fetched or read from disk.
/// - Swagger 2.0 documents are converted to OpenAPI 3.0 first.
///
/// Every refusal is a ``GatewayError`` (`.invalidSpec` or `.unsupportedSpec`) whose location is the source name
/// plus a JSON pointer (`petstore.yaml#/paths/~1pets/get`) or a line and column when the text does not parse.
public struct OpenAPIImporter: Sendable {
    /// Creates an importer.
    public init() {}

    /// Parses an OpenAPI 3.0 / 3.1 or Swagger 2.0 document (JSON or YAML) and compiles its operations.
    /// - Parameters:
    ///   - data: the document's bytes.
    ///   - sourceName: the file path or URL, used as the error location prefix.
    ///   - sourceURL: the document's URL when fetched remotely (to resolve relative servers[].url), nil for files.
    /// - Returns: the API's format, title, version, base URL, operations (in document order) and warnings.
    /// - Throws: `GatewayError` with code `.invalidSpec` or `.unsupportedSpec`.
    public func importDocument(_ data: Data, sourceName: String, sourceURL: URL?) throws(GatewayError) -> ImportedAPI {
        let tree = try SourceLoader(sourceName: sourceName).load(data)
        guard case .object(var top) = tree else {
            throw GatewayError(.invalidSpec, "document root must be an object", location: "\(sourceName)#")
        }
        let version = try Self.detectVersion(top, sourceName: sourceName)
        Self.normalizeInfo(&top)
        let original = SpecContext(root: .object(top), sourceName: sourceName, dialect: .openAPI30)
        try ReferenceResolver.refuseExternalReferences(in: original.root, context: original)

        var warnings: [String] = []
        let context: SpecContext
        let baseURL: String?
        switch version {
        case .swagger2:
            var converter = Swagger2Converter(context: original)
            let converted = try converter.convert()
            warnings += converter.warnings
            context = SpecContext(root: converted, sourceName: sourceName, dialect: .openAPI30)
            warnings += try OpenAPIKitValidator(context: context, convertedFrom: "Swagger 2.0").validate(as: .v30)
            baseURL = ServerURL.swagger(original.root, sourceURL: sourceURL)
        case .openAPI30:
            context = original
            warnings += try OpenAPIKitValidator(context: context, convertedFrom: nil).validate(as: .v30)
            baseURL = ServerURL.openAPI(context.root, sourceURL: sourceURL, warnings: &warnings)
        case .openAPI31:
            context = SpecContext(root: original.root, sourceName: sourceName, dialect: .openAPI31)
            warnings += try OpenAPIKitValidator(context: context, convertedFrom: nil).validate(as: .v31)
            baseURL = ServerURL.openAPI(context.root, sourceURL: sourceURL, warnings: &warnings)
        }

        let compiler = OperationCompiler(context: context)
        let operations = try compiler.compileAll()
        warnings += compiler.warnings
        return ImportedAPI(
            format: version.rawValue,
            title: top["info"]?["title"]?.stringValue ?? "",
            version: top["info"]?["version"]?.stringValue ?? "",
            baseURL: baseURL,
            operations: operations,
            warnings: warnings)
    }

    /// The document formats the importer reads.
    enum Version: String {
        case swagger2 = "swagger-2.0"
        case openAPI30 = "openapi-3.0"
        case openAPI31 = "openapi-3.1"
    }

    /// Reads the `openapi` / `swagger` field.
    static func detectVersion(_ top: JSONObject, sourceName: String) throws(GatewayError) -> Version {
        if let value = top["openapi"] {
            let text = versionText(value)
            let location = "\(sourceName)#/openapi"
            if text.hasPrefix("3.0") { return .openAPI30 }
            // OpenAPIKit reads 3.2 as well; its documents are compiled like 3.1 ones.
            if text.hasPrefix("3.1") || text.hasPrefix("3.2") { return .openAPI31 }
            throw GatewayError(
                .unsupportedSpec, "OpenAPI version '\(text)' is not supported (expected 3.0.x, 3.1.x or Swagger 2.0)",
                location: location)
        }
        if let value = top["swagger"] {
            let text = versionText(value)
            guard text == "2.0" || text == "2.0.0" else {
                throw GatewayError(
                    .unsupportedSpec, "Swagger version '\(text)' is not supported (expected 2.0)",
                    location: "\(sourceName)#/swagger")
            }
            return .swagger2
        }
        throw GatewayError(
            .invalidSpec, "not an OpenAPI document: it has neither an 'openapi' nor a 'swagger' field",
            location: "\(sourceName)#")
    }

    private static func versionText(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): s.trimmingCharacters(in: .whitespaces)
        case .double(let d): String(d)
        case .int(let i): String(i)
        default: value.jsonString
        }
    }

    /// Makes `openapi` and `info.version` strings when written as numbers (`version: 1.0` in YAML), and gives
    /// two-part versions (`3.1`) a patch number, so that OpenAPIKit reads them.
    static func normalizeInfo(_ top: inout JSONObject) {
        if let value = top["openapi"] {
            var text = versionText(value)
            if text.split(separator: ".").count == 2 { text += ".0" }
            top["openapi"] = .string(text)
        }
        if case .object(var info) = top["info"], let version = info["version"], version.stringValue == nil,
            version.doubleValue != nil
        {
            info["version"] = .string(versionText(version))
            top["info"] = .object(info)
        }
    }
}
