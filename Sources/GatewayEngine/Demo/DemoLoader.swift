import Foundation
import Store

/// Loads the demo: serves ``DemoBackend``, imports ``DemoAPI`` as API `demo` (private network allowed, base URL =
/// the backend's loopback URL) and exposes every operation as MCP server `demo`. On later starts,
/// ``reconnect()`` restarts the backend and points the stored API at its new port.
public struct DemoLoader: Sendable {
    let store: GatewayStore
    let backend: DemoBackend
    /// Where the document is written (imports read it from there, so the stored source stays valid).
    let specPath: String

    /// - Parameters:
    ///   - specDirectory: the directory for the document file; by default the database's directory.
    public init(store: GatewayStore, backend: DemoBackend, specDirectory: String? = nil) {
        self.store = store
        self.backend = backend
        let dir = specDirectory ?? URL(fileURLWithPath: store.configuration.path).deletingLastPathComponent().path
        specPath = dir + "/" + DemoAPI.fileName
    }

    /// The backend's `http://127.0.0.1:PORT` once it serves.
    public var baseURL: String? { backend.baseURL }

    /// Whether a stored API is the demo's.
    static func isDemo(_ api: APIRecord) -> Bool { api.title == DemoAPI.title }

    /// Serves the backend, imports the API and creates the server (each step only when needed).
    /// - Returns: a one-line summary.
    public func load() async throws -> String {
        if let existing = try? store.api(named: DemoAPI.name), !Self.isDemo(existing) {
            throw GatewayError(.conflict, "an API named '\(DemoAPI.name)' already exists and is not the demo")
        }
        if let server = try? store.server(named: DemoAPI.name), let apiId = server.apiId,
            (try store.api(id: apiId)).map(Self.isDemo) != true
        {
            throw GatewayError(.conflict, "a server named '\(DemoAPI.name)' already exists and does not serve the demo")
        }
        let port = try await backend.start()
        let baseURL = "http://127.0.0.1:\(port)"
        try writeDocument()
        let importer = APIImportService(store: store)
        let prepared = try await importer.prepare(.init(name: DemoAPI.name, source: specPath, baseURL: baseURL, allowPrivateNetwork: true))
        _ = try importer.save(prepared)
        let server: ServerRecord
        if let existing = try? store.server(named: DemoAPI.name) {
            server = existing
        } else {
            server = try store.createServer(
                name: DemoAPI.name, description: "The demo pet store served by Gatehouse itself", basePath: DemoAPI.name, apiName: DemoAPI.name,
                operations: nil)
        }
        let tools = try store.tools(serverId: server.id).count
        return "demo loaded: API '\(DemoAPI.name)' on \(baseURL), server '\(server.name)' with \(tools) tools at /\(server.basePath)/mcp"
    }

    /// When the store holds the demo API and nothing serves it, starts the backend and updates the API's base URL to
    /// it. A demo backend another live engine serves (its console loaded the demo) is left alone: the demo belongs to
    /// the engine that loaded it, and re-pointing it here would break it there when this process ends.
    /// - Returns: whether the demo was found and reconnected.
    @discardableResult
    public func reconnect() async throws -> Bool {
        guard let api = try? store.api(named: DemoAPI.name), Self.isDemo(api) else { return false }
        if let current = URL(string: api.baseUrl ?? ""), current.host == "127.0.0.1", let port = current.port, port != backend.port,
            await ListenProbe.accepts(host: "127.0.0.1", port: port)
        {
            return false
        }
        let port = try await backend.start()
        try writeDocument()
        let baseURL = "http://127.0.0.1:\(port)"
        if api.baseUrl != baseURL || !api.allowPrivateNetwork {
            _ = try store.updateAPI(named: DemoAPI.name, baseUrl: .some(baseURL), documentBaseUrl: nil, allowPrivateNetwork: true)
        }
        return true
    }

    /// Writes the document (0600) unless the file already holds it.
    func writeDocument() throws {
        if let current = FileManager.default.contents(atPath: specPath), current == Data(DemoAPI.document.utf8) { return }
        let dir = URL(fileURLWithPath: specPath).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data(DemoAPI.document.utf8).write(to: URL(fileURLWithPath: specPath), options: .atomic)
        chmod(specPath, 0o600)
    }
}
