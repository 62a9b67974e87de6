import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The demo's backend: the pet store of ``DemoAPI`` served on `127.0.0.1` (a free port) by a Hummingbird
/// application, as a `Service` that idles until ``start(timeout:)`` is first called.
///
/// Put it in the same `ServiceGroup` as the gateway; it stops with the group's graceful shutdown.
public final class DemoBackend: Service, Sendable {
    struct State {
        var requested = false
        var port: Int?
        var failure: String?
    }

    private let state = LockedBox(State())
    private let triggers: AsyncStream<Void>
    private let trigger: AsyncStream<Void>.Continuation
    private let pets = LockedBox(DemoPets())
    private let logger: Logger

    /// - Parameter logger: the Hummingbird application's logger (no-op by default).
    public init(logger: Logger = Logger(label: "gatehouse.demo", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.logger = logger
        (triggers, trigger) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// The bound port once serving.
    public var port: Int? { state.withLock { $0.port } }

    /// `http://127.0.0.1:PORT` once serving.
    public var baseURL: String? { port.map { "http://127.0.0.1:\($0)" } }

    /// Waits until the demo is first needed, then serves on a loopback port until the service group shuts down.
    public func run() async throws {
        var waiting = triggers.cancelOnGracefulShutdown().makeAsyncIterator()
        guard await waiting.next() != nil else {
            fail("the demo backend is shutting down")
            return
        }
        let app = Application(
            router: makeRouter(), configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "gatehouse-demo"),
            onServerRunning: { [state] channel in state.withLock { $0.port = channel.localAddress?.port } }, logger: logger)
        do {
            try await app.run()
        } catch {
            // Never take the group down: report to waiters and idle until shutdown.
            fail("the demo backend failed: \(error)")
            try? await gracefulShutdown()
        }
        fail("the demo backend stopped")
    }

    private func fail(_ message: String) {
        state.withLock { s in
            s.port = nil
            if s.failure == nil { s.failure = message }
        }
    }

    /// Starts serving (once) and returns the port.
    /// - Throws: ``GatewayError/Code/conflict`` when the backend failed or stopped, or did not start in time (for
    ///   instance because ``run()`` is not running in a service group).
    public func start(timeout: Duration = .seconds(10)) async throws(GatewayError) -> Int {
        let first = state.withLock { s in
            defer { s.requested = true }
            return !s.requested
        }
        if first { trigger.yield() }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let (port, failure) = state.withLock { ($0.port, $0.failure) }
            if let port { return port }
            if let failure { throw GatewayError(.conflict, failure) }
            do {
                try await Task.sleep(for: .milliseconds(20))
            } catch {
                break
            }
        }
        throw GatewayError(.conflict, "the demo backend did not start (is it running in the service group?)")
    }

    // MARK: - Routes

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/pets") { [pets] request, _ -> Response in
            let limit = request.uri.queryParameters.get("limit", as: Int.self) ?? 100
            return Self.json(.ok, pets.withLock { $0.list(limit: limit) })
        }
        router.post("/pets") { [pets] request, context -> Response in
            guard let new = try? await request.decode(as: DemoPets.NewPet.self, context: context), !new.name.isEmpty else {
                return Self.json(.badRequest, ["error": "a JSON body with a non-empty 'name' is required"])
            }
            return Self.json(.created, pets.withLock { $0.add(new) })
        }
        router.get("/pets/{petId}") { [pets] _, context -> Response in
            guard let id = context.parameters.get("petId", as: Int.self), let pet = pets.withLock({ $0.pets[id] }) else {
                return Self.json(.notFound, ["error": "no such pet"])
            }
            return Self.json(.ok, pet)
        }
        router.delete("/pets/{petId}") { [pets] _, context -> Response in
            guard let id = context.parameters.get("petId", as: Int.self), pets.withLock({ $0.pets.removeValue(forKey: id) }) != nil else {
                return Self.json(.notFound, ["error": "no such pet"])
            }
            return Response(status: .noContent)
        }
        router.get("/openapi.yaml") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(string: DemoAPI.document)))
        }
        return router
    }

    static func json(_ status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data("null".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// The demo's in-memory pets.
struct DemoPets: Sendable {
    struct Pet: Codable, Sendable {
        var id: Int
        var name: String
        var tag: String?
    }

    struct NewPet: Codable, Sendable {
        var name: String
        var tag: String?
    }

    var pets: [Int: Pet] = [
        1: Pet(id: 1, name: "Rex", tag: "dog"), 2: Pet(id: 2, name: "Tom", tag: "cat"), 3: Pet(id: 3, name: "Polly", tag: "parrot"),
    ]
    var nextId = 4

    func list(limit: Int) -> [Pet] { Array(pets.values.sorted { $0.id < $1.id }.prefix(max(0, limit))) }

    mutating func add(_ new: NewPet) -> Pet {
        let pet = Pet(id: nextId, name: new.name, tag: new.tag)
        pets[nextId] = pet
        nextId += 1
        return pet
    }
}
