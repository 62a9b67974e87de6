import Foundation
import Hummingbird
import Logging
import Store

@testable import GatewayEngine

let testSpec = """
    openapi: 3.0.3
    info: {title: Test pets, version: "1"}
    paths:
      /pets/{petId}:
        get:
          operationId: getPetById
          summary: Get a pet
          parameters:
            - {name: petId, in: path, required: true, schema: {type: integer}}
          responses:
            "200":
              description: ok
              content:
                application/json:
                  schema: {type: object, properties: {id: {type: integer}, name: {type: string}}}
      /echo/{value}:
        get:
          operationId: echo
          parameters:
            - {name: value, in: path, required: true, schema: {type: string}}
          responses:
            "200":
              description: ok
              content:
                application/json:
                  schema: {type: object, properties: {path: {type: string}}}
    """

/// A gateway on an ephemeral port over a temporary store, with one server `pets` on a ``TestBackend``.
final class TestGateway: Sendable {
    let dir: TempDir
    let store: GatewayStore
    let gateway: Gateway
    let port: Int
    let backend: TestBackend
    let task: Task<Void, any Error>

    private init(dir: TempDir, store: GatewayStore, gateway: Gateway, port: Int, backend: TestBackend, task: Task<Void, any Error>) {
        self.dir = dir
        self.store = store
        self.gateway = gateway
        self.port = port
        self.backend = backend
        self.task = task
    }

    static func start(
        clock: PolicyClock = .system, trustedProxies: [String] = [], busyTimeout: TimeInterval? = nil, directory: TempDir? = nil,
        seed: Bool = true, spec: String = testSpec, configure: (inout GatewayConfiguration) -> Void = { _ in }
    ) async throws -> TestGateway {
        let backend = try await TestBackend.start()
        let dir = directory ?? TempDir()
        let specPath = dir.path + "/pets.yaml"
        try spec.write(toFile: specPath, atomically: true, encoding: .utf8)
        var storeConfig = StoreConfiguration(path: dir.path + "/gatehouse.sqlite")
        if let busyTimeout { storeConfig.busyTimeout = busyTimeout }
        let store = try GatewayStore(configuration: storeConfig)
        let importer = APIImportService(store: store)
        _ = try importer.save(
            try await importer.prepare(
                .init(name: "petstore", source: specPath, baseURL: "http://127.0.0.1:\(backend.port)", allowPrivateNetwork: true)))
        if seed {
            _ = try store.createServer(name: "pets", basePath: "pets", apiName: "petstore", operations: nil)
        }
        var config = GatewayConfiguration()
        config.port = 0
        config.reloadInterval = .milliseconds(20)
        config.trustedProxies = trustedProxies
        configure(&config)
        let gateway = Gateway(
            store: store, configuration: config, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), clock: clock)
        let (port, task) = try await startApplication { ready in
            gateway.makeApplication { address in await ready(address?.port ?? 0) }
        }
        return TestGateway(dir: dir, store: store, gateway: gateway, port: port, backend: backend, task: task)
    }

    func stop() {
        task.cancel()
        backend.stop()
    }

    var url: String { "http://127.0.0.1:\(port)/pets/mcp" }
}
