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

        /// A request to import `source` as the API `name`.
        public init(name: String, source: String, baseDirectory: String? = nil, baseURL: String? = nil, allowPrivateNetwork: Bool = false) {
            self.name = name
            self.source = source
            self.baseDirectory = baseDirectory
            self.baseURL = baseURL
            self.allowPrivateNetwork = allowPrivateNetwork
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
        /// Non-fatal findings of the import.
        public var warnings: [String]
    }

    /// Reads and compiles without writing anything.
    public func prepare(_ request: Request) async throws(GatewayError) -> Prepared {
        let (data, url, resolved) = try await SpecFetcher().fetch(request.source, baseDirectory: request.baseDirectory, allowPrivateNetwork: request.allowPrivateNetwork)
        let imported = try OpenAPIImporter().importDocument(data, sourceName: resolved, sourceURL: url)
        var warnings = imported.warnings
        let baseURL = request.baseURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 } ?? imported.baseURL
        if let baseURL {
            do {
                _ = try AddressGuard().check(baseURL, allowPrivateNetwork: request.allowPrivateNetwork)
            } catch where error.code == .forbiddenAddress && error.message.hasPrefix("cannot resolve") {
                warnings.append("backend host of \(baseURL) does not resolve now; it is checked again on every call")
            } catch {
                throw GatewayError(error.code, "backend URL refused: \(error.message)", location: request.baseURL == nil ? resolved + "#/servers/0/url" : "--base-url")
            }
        } else {
            warnings.append("the document names no server; calls fail until a base URL is set (`gatehouse api set \(request.name) --base-url URL`)")
        }
        return Prepared(
            request: request, imported: imported, document: String(decoding: data, as: UTF8.self), resolvedSource: resolved, baseURL: baseURL,
            warnings: warnings)
    }

    /// Saves a prepared API.
    public func save(_ p: Prepared) throws(StoreError) -> APIImportOutcome {
        let api = APIRecord.New(
            name: p.request.name, title: p.imported.title, version: p.imported.version, format: p.imported.format,
            source: p.resolvedSource, document: p.document, baseUrl: p.baseURL, baseUrlOverridden: p.request.baseURL != nil,
            allowPrivateNetwork: p.request.allowPrivateNetwork)
        let ops = p.imported.operations.map {
            NewOperation(key: $0.key, operationId: $0.operationId, toolName: $0.toolName, method: $0.method, path: $0.path, summary: $0.summary, definition: $0.storedText())
        }
        return try store.saveAPI(api, operations: ops)
    }
}
