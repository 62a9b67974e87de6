import Foundation
import Store

/// Imports REST APIs into the store: reads the document, compiles its operations, checks the backend URL with
/// the SSRF guard, and saves everything in one transaction.
public struct APIImportService: Sendable {
    let store: GatewayStore

    /// An import service over the store.
    public init(store: GatewayStore) { self.store = store }

    /// What to import.
    public struct Request: Sendable {
        /// The API's unique name.
        public var name: String
        /// A file path (relative to `baseDirectory`) or an http(s) URL.
        public var source: String
        /// The directory a relative `source` path is resolved against (the working directory when nil).
        public var baseDirectory: String?
        /// Overrides the document's servers[] entry.
        public var baseURL: String?
        /// Whether the backend (and a remote document) may be on loopback or a private network.
        public var allowPrivateNetwork: Bool
        /// Strictness and tool naming (lenient, 64-character names by default).
        public var options: OpenAPIImporter.Options
        /// How answers are checked against output schemas; nil keeps the API's current mode (tolerant when new).
        public var outputSchemaMode: OutputSchemaMode? = nil

        /// A request to import `source` as the API `name`.
        public init(
            name: String, source: String, baseDirectory: String? = nil, baseURL: String? = nil, allowPrivateNetwork: Bool = false,
            options: OpenAPIImporter.Options = .init()
        ) {
            self.name = name
            self.source = source
            self.baseDirectory = baseDirectory
            self.baseURL = baseURL
            self.allowPrivateNetwork = allowPrivateNetwork
            self.options = options
        }
    }

    /// A compiled API ready to save (see ``prepare(_:)``).
    public struct Prepared: Sendable {
        /// What was asked.
        public var request: Request
        /// The compiled document: format, title, version, operations.
        public var imported: ImportedAPI
        /// The document text as read (stored with the API).
        public var document: String
        /// Where the document was read from, resolved (an absolute path or the URL).
        public var resolvedSource: String
        /// The backend base URL that will be stored: the request's override, else the document's.
        public var baseURL: String?
        /// Everything the import found (the document's and the backend URL's), kept with the API.
        public var diagnostics: [ImportWarning]
        /// The findings as text.
        public var warnings: [String] { diagnostics.map(\.description) }
    }

    /// Reads and compiles without writing anything.
    public func prepare(_ request: Request) async throws(GatewayError) -> Prepared {
        let imported: ImportedAPI
        let resolved: String
        let document: String
        if SpecFetcher.isRemote(request.source) || request.source.contains("://") {
            let (data, url, source) = try await SpecFetcher().fetch(
                request.source, baseDirectory: request.baseDirectory, allowPrivateNetwork: request.allowPrivateNetwork)
            imported = try OpenAPIImporter().importDocument(data, sourceName: source, sourceURL: url, options: request.options)
            (resolved, document) = (source, String(decoding: data, as: UTF8.self))
        } else {
            // A local file, directory or archive: references to other files inside it are followed.
            resolved = SpecFetcher.localPath(request.source, baseDirectory: request.baseDirectory)
            imported = try OpenAPIImporter().importLocal(path: resolved, options: request.options)
            document = imported.documentText ?? ""
        }
        var warnings = imported.diagnostics
        let baseURL = request.baseURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 } ?? imported.baseURL
        if let baseURL {
            do {
                _ = try AddressGuard().check(baseURL, allowPrivateNetwork: request.allowPrivateNetwork)
            } catch  where error.code == .forbiddenAddress && error.message.hasPrefix("cannot resolve") {
                warnings.append(
                    ImportWarning(
                        location: nil, message: "backend host of \(baseURL) does not resolve now; it is checked again on every call", kind: .note))
            } catch {
                throw GatewayError(
                    error.code, "backend URL refused: \(error.message)",
                    location: request.baseURL == nil ? resolved + "#/servers/0/url" : "--base-url")
            }
        } else {
            warnings.append(
                ImportWarning(
                    location: nil,
                    message: "the document names no server; calls fail until a base URL is set (`gatehouse api set \(request.name) --base-url URL`)",
                    kind: .note))
        }
        return Prepared(
            request: request, imported: imported, document: document, resolvedSource: resolved, baseURL: baseURL,
            diagnostics: warnings)
    }

    /// Saves a prepared API.
    public func save(_ p: Prepared) throws(StoreError) -> APIImportOutcome {
        let api = APIRecord.New(
            name: p.request.name, title: p.imported.title, version: p.imported.version, format: p.imported.format,
            source: p.resolvedSource, document: p.document, baseUrl: p.baseURL, baseUrlOverridden: p.request.baseURL != nil,
            allowPrivateNetwork: p.request.allowPrivateNetwork)
        var record = api
        record.warnings = ImportWarning.storedText(p.diagnostics)
        record.strictImport = p.request.options.strict
        record.keepLongNames = p.request.options.keepLongNames
        record.outputSchemaMode = p.request.outputSchemaMode?.rawValue
        let ops = p.imported.operations.map {
            NewOperation(
                key: $0.key, operationId: $0.operationId, toolName: $0.toolName, method: $0.method, path: $0.path, summary: $0.summary,
                definition: $0.storedText())
        }
        return try store.saveAPI(record, operations: ops)
    }
}
