import Foundation

/// Imports an OpenAPI 3.0 / 3.1 or Swagger 2.0 document (JSON or YAML) and compiles each operation into an
/// ``OperationDefinition`` the engine can expose as an MCP tool.
///
/// Lenient by default: the world's documents are never perfect, so a defect in a part tools do not need, or one
/// that can be read in an obvious way (`type: int`, `type: ["null", "string"]` in Swagger 2.0, an integer bound
/// beyond 64 bits, an empty `externalDocs.url`, a response `$ref` that points at a request body…), is a warning;
/// a part OpenAPIKit cannot read is left out (a response, else the operation, else the key); an operation that
/// cannot be built is skipped with a warning naming it. A document is refused only when it is not OpenAPI or
/// Swagger, cannot be parsed, or no operation at all can be built. With ``Options/strict`` any defect refuses it.
///
/// Every finding is reported in one pass, once, with a pointer into the user's own file (for Swagger 2.0 the
/// Swagger tree, never the converted one), in plain words.
///
/// - The document is read into a JSON tree (bounded: 20 MiB, nesting depth, YAML alias expansion), repaired
///   (``DocumentRepair``), converted when it is Swagger 2.0, its structure checked with OpenAPIKit, and operations
///   compiled from the raw tree so that schemas keep every keyword as written.
/// - Only local `$ref`s (`#/...`) are followed in a document given as bytes; ``importLocal(path:options:)`` also
///   follows relative references to files inside the document's directory or archive (never outside it, never
///   URLs), bundling them into one tree first (``DocumentBundler``).
public struct OpenAPIImporter: Sendable {
    /// How strictly to import.
    public struct Options: Sendable, Equatable {
        /// Refuse the document when it has any defect (all of them are listed), instead of importing what can be
        /// imported. Default false.
        public var strict: Bool
        /// Keep tool names up to MCP's 128 characters instead of shortening them to 64 (OpenAI's and Anthropic's
        /// function-calling limit). Default false.
        public var keepLongNames: Bool

        public init(strict: Bool = false, keepLongNames: Bool = false) {
            self.strict = strict
            self.keepLongNames = keepLongNames
        }
    }

    /// Creates an importer.
    public init() {}

    /// Parses an OpenAPI 3.0 / 3.1 or Swagger 2.0 document (JSON or YAML) and compiles its operations.
    /// - Parameters:
    ///   - data: the document's bytes.
    ///   - sourceName: the file path or URL, used as the error location prefix.
    ///   - sourceURL: the document's URL when fetched remotely (to resolve relative servers[].url), nil for files.
    ///   - options: strictness and naming.
    /// - Returns: the API's format, title, version, base URL, operations (in document order) and findings.
    /// - Throws: `GatewayError` with code `.invalidSpec` or `.unsupportedSpec`.
    public func importDocument(_ data: Data, sourceName: String, sourceURL: URL?, options: Options = Options())
        throws(GatewayError) -> ImportedAPI
    {
        let tree = try SourceLoader(sourceName: sourceName).load(data)
        return try importTree(tree, sourceName: sourceName, sourceURL: sourceURL, options: options)
    }

    /// Imports a local document and the files it references: a file (its references resolved inside its own
    /// directory), a directory holding a root document, or a `.zip` / `.tar.gz` archive. References that leave the
    /// directory or archive, absolute paths and URLs are never followed (see ``DocumentBundler``). When the document
    /// references other files, ``ImportedAPI/bundledDocument`` holds the self-contained document.
    public func importLocal(path: String, options: Options = Options()) throws(GatewayError) -> ImportedAPI {
        let set = try DocumentSet.open(path)
        let sourceName = set.display(set.root)
        let data = try set.read(set.root)
        var tree = try SourceLoader(sourceName: sourceName).load(data)
        guard DocumentBundler.referencesOtherFiles(tree) else {
            var api = try importTree(tree, sourceName: sourceName, sourceURL: nil, options: options)
            api.documentText = String(decoding: data, as: UTF8.self)
            return api
        }
        let bundler = DocumentBundler(set: set)
        tree = try bundler.bundle(tree)
        var api = try importTree(tree, sourceName: sourceName, sourceURL: nil, options: options, bundle: bundler.info)
        api.documentText = tree.jsonString
        api.referencedFiles = bundler.info.files
        return api
    }

    /// Imports a document already read into a tree.
    func importTree(
        _ tree: JSONValue, sourceName: String, sourceURL: URL?, options: Options, bundle: BundleInfo? = nil
    ) throws(GatewayError) -> ImportedAPI {
        guard case .object(var top) = tree else {
            throw GatewayError(.invalidSpec, "document root must be an object", location: "\(sourceName)#")
        }
        let version = try Self.detectVersion(top, sourceName: sourceName)
        Self.normalizeInfo(&top)
        var original = SpecContext(
            root: .object(top), sourceName: sourceName, dialect: version == .openAPI31 ? .openAPI31 : .openAPI30,
            bundle: bundle)
        let diagnostics = original.diagnostics
        if options.strict { try ReferenceResolver.refuseExternalReferences(in: original.root, context: original) }
        let repaired = DocumentRepair(
            context: original, allowsTypeLists: version == .openAPI31, swagger: version == .swagger2
        ).repair(original.root)
        original = original.with(root: repaired)

        let context: SpecContext
        let baseURL: String?
        var serverWarnings: [String] = []
        switch version {
        case .swagger2:
            let converter = Swagger2Converter(context: original)
            let converted = try converter.convert()
            context = original.with(root: converted, origin: converter.origin)
            baseURL = ServerURL.swagger(original.root, sourceURL: sourceURL)
        case .openAPI30, .openAPI31:
            context = original
            baseURL = ServerURL.openAPI(context.root, sourceURL: sourceURL, warnings: &serverWarnings)
        }
        for warning in serverWarnings { diagnostics.note(warning, at: context.location("/servers/0/url")) }
        let (checked, skipped) = OpenAPIKitValidator(context: context).validate(as: version == .openAPI31 ? .v31 : .v30)

        let compiler = OperationCompiler(context: context.with(root: checked))
        compiler.skipped = skipped
        compiler.naming.maxLength = options.keepLongNames ? ToolNaming.maxLength : ToolNaming.defaultLength
        let operations = try compiler.compileAll()
        if options.strict, !diagnostics.defects.isEmpty {
            throw Self.refusal(diagnostics.defects, first: compiler.errors.first, why: "strict import")
        }
        if operations.isEmpty, Self.declaredOperations(top) > 0 {
            throw Self.refusal(diagnostics.defects, first: compiler.errors.first, why: "no operation can be built")
        }
        return ImportedAPI(
            format: version.rawValue,
            title: top["info"]?["title"]?.stringValue ?? "",
            version: top["info"]?["version"]?.stringValue ?? "",
            baseURL: baseURL,
            operations: operations,
            diagnostics: diagnostics.items)
    }

    /// The refusal for a document: the first problem's code, message and location, with every other problem listed.
    static func refusal(_ defects: [ImportWarning], first: GatewayError?, why: String) -> GatewayError {
        guard let head = defects.first else {
            return first ?? GatewayError(.invalidSpec, "\(why): the document has no operation that can be built")
        }
        var message = first.map { $0.location == head.location ? $0.message : head.message } ?? head.message
        message += " (\(why)"
        if defects.count > 1 {
            message += "; \(defects.count - 1) other problem\(defects.count == 2 ? "" : "s"):"
            for defect in defects.dropFirst().prefix(200) { message += "\n  " + defect.description }
            if defects.count > 201 { message += "\n  … and \(defects.count - 201) more" }
            message += "\n)"
        } else {
            message += ")"
        }
        let code = first.flatMap { $0.location == head.location ? $0.code : nil } ?? .invalidSpec
        return GatewayError(code, message, location: head.location)
    }

    /// How many operations the document declares (path items × methods; a path item `$ref` counts as one).
    static func declaredOperations(_ top: JSONObject) -> Int {
        guard case .object(let paths) = top["paths"] else { return 0 }
        return paths.reduce(0) { count, entry in
            guard !entry.key.hasPrefix("x-"), case .object(let item) = entry.value else { return count }
            if item["$ref"] != nil { return count + 1 }
            return count + item.keys.filter(OperationCompiler.methods.contains).count
        }
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
