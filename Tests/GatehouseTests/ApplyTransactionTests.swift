import Foundation
import GRDB
import Testing

@testable import GatewayEngine
@testable import Store

/// `gatehouse apply` writes in one transaction: an apply that fails at write time, half-way, leaves the store as it
/// was — no API, server, upstream or subscription of the file is left behind, and the configuration revision that
/// running engines poll does not move.
@Suite("Apply in one transaction")
struct ApplyTransactionTests {
    static let file = """
        apis:
          - name: petstore
            spec: pets.yaml
            baseUrl: http://127.0.0.1:9
            allowPrivateNetwork: true
        servers:
          - name: pets
            api: petstore
        subscriptions:
          - name: team
            servers: [pets]
        policies:
          - scope: server:pets
            inbound:
              - rate-limit: { calls: 10, renewal-period: 60 }
        """

    @Test("the last write fails: nothing of the file is stored, and the same file applies once the fault is gone")
    func failedApplyChangesNothing() async throws {
        let dir = TempDir()
        try testSpec.write(toFile: dir.path + "/pets.yaml", atomically: true, encoding: .utf8)
        let store = try GatewayStore(configuration: .init(path: dir.path + "/g.sqlite"))
        // What was there before: one API and its server, which the file re-imports and changes.
        _ = try await ConfigApplier(store: store, environment: [:]).apply(
            try ConfigApplier.parse(
                "apis:\n  - {name: old, spec: pets.yaml, baseUrl: 'http://127.0.0.1:9', allowPrivateNetwork: true}\n", file: "a.yaml"),
            baseDirectory: dir.path, file: "a.yaml")
        let before = try ConfigApplier.render(try ConfigApplier(store: store, environment: [:]).export())
        let revision = try store.configRevision()
        // The policy documents are written last; make that write fail as a full disk or a constraint would.
        try await store.dbPool.write { db in
            try db.execute(sql: "CREATE TEMP TRIGGER injected BEFORE INSERT ON policy BEGIN SELECT RAISE(ABORT, 'injected failure'); END")
        }
        await #expect(throws: (any Error).self) {
            _ = try await ConfigApplier(store: store, environment: [:]).apply(
                try ConfigApplier.parse(Self.file, file: "g.yaml"), baseDirectory: dir.path, file: "g.yaml")
        }
        #expect(try ConfigApplier.render(try ConfigApplier(store: store, environment: [:]).export()) == before)
        #expect(try store.configRevision() == revision, "running engines must not see half an apply")
        #expect(try store.apis().map(\.name) == ["old"] && store.servers().isEmpty && store.subscriptions().isEmpty)
        #expect(try store.integrityCheck() == "ok")

        try await store.dbPool.write { db in try db.execute(sql: "DROP TRIGGER temp.injected") }
        let summary = try await ConfigApplier(store: store, environment: [:]).apply(
            try ConfigApplier.parse(Self.file, file: "g.yaml"), baseDirectory: dir.path, file: "g.yaml")
        #expect(summary.servers == ["pets"] && summary.policies == ["server:pets"])
        #expect(try store.servers().map(\.name) == ["pets"] && store.subscriptions().map(\.name) == ["team"])
    }

    @Test("a write that fails inside the transaction is rolled back to its savepoint, even when its caller goes on")
    func savepoints() throws {
        let dir = TempDir()
        let store = try GatewayStore(configuration: .init(path: dir.path + "/g.sqlite"))
        try store.inOneTransaction {
            _ = try store.createSubscription(.init(name: "a", keyHash: "h1", keyHint: "1", servers: nil))
            #expect(throws: StoreError.self) { _ = try store.createSubscription(.init(name: "a", keyHash: "h2", keyHint: "2", servers: nil)) }
            #expect(try store.subscriptions().map(\.name) == ["a"], "reads inside see the transaction's own writes")
        }
        #expect(try store.subscriptions().map(\.keyHash) == ["h1"])
        // A body that throws keeps nothing.
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try store.inOneTransaction {
                _ = try store.createSubscription(.init(name: "b", keyHash: "h3", keyHint: "3", servers: nil))
                throw Stop()
            }
        }
        #expect(try store.subscriptions().map(\.name) == ["a"])
    }
}
