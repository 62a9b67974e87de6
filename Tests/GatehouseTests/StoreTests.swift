import Foundation
import GRDB
import Testing

@testable import GatewayEngine
@testable import Store

@Suite("Store")
struct StoreTests {
    func makeStore(_ dir: TempDir) throws -> GatewayStore {
        try GatewayStore(configuration: .init(path: dir.path + "/db/gatehouse.sqlite"))
    }

    func saveAPI(_ store: GatewayStore, keys: [String]) throws -> APIImportOutcome {
        try store.saveAPI(
            APIRecord.New(
                name: "api", title: "T", version: "1", format: "openapi-3.0", source: "x", document: "{}", baseUrl: nil, baseUrlOverridden: false,
                allowPrivateNetwork: false),
            operations: keys.map {
                NewOperation(key: "GET /\($0)", operationId: $0, toolName: $0, method: "GET", path: "/\($0)", summary: nil, definition: "{}")
            })
    }

    @Test("the database and its directory are private, WAL is on, integrity holds")
    func fileModes() throws {
        let dir = TempDir()
        let store = try makeStore(dir)
        var st = stat()
        stat(dir.path + "/db/gatehouse.sqlite", &st)
        #expect(st.st_mode & 0o777 == 0o600)
        stat(dir.path + "/db", &st)
        #expect(st.st_mode & 0o777 == 0o700)
        let mode = try store.dbPool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        #expect(try store.integrityCheck() == "ok")
    }

    @Test("re-importing keeps tools of surviving operations, drops vanished ones, and grows all-operation servers")
    func reimport() throws {
        let dir = TempDir()
        let store = try makeStore(dir)
        _ = try saveAPI(store, keys: ["a", "b"])
        _ = try store.createServer(name: "some", basePath: "some", apiName: "api", operations: ["a", "b"])
        _ = try store.createServer(name: "all", basePath: "all", apiName: "api", operations: nil)
        _ = try store.updateTool(server: "some", tool: "a", newName: "renamed")
        let before = try store.configRevision()
        let outcome = try saveAPI(store, keys: ["a", "c"])
        #expect(outcome.added == ["GET /c"] && outcome.removed == ["GET /b"])
        #expect(try store.configRevision() > before)
        let some = try store.tools(serverId: try store.server(named: "some").id).map(\.tool.name)
        #expect(some == ["renamed"])
        let all = try store.tools(serverId: try store.server(named: "all").id).map(\.tool.name)
        #expect(all == ["a", "c"])
    }

    @Test("refusals: unknown operation, duplicate names and base paths, reserved paths, deleting a used API")
    func refusals() throws {
        let dir = TempDir()
        let store = try makeStore(dir)
        _ = try saveAPI(store, keys: ["a"])
        #expect(throws: StoreError.self) { try store.createServer(name: "s", basePath: "s", apiName: "api", operations: ["zzz"]) }
        _ = try store.createServer(name: "s", basePath: "s", apiName: "api", operations: nil)
        #expect(throws: StoreError.self) { try store.createServer(name: "s", basePath: "t", apiName: "api", operations: nil) }
        #expect(throws: StoreError.self) { try store.createServer(name: "t", basePath: "/s/", apiName: "api", operations: nil) }
        for bad in ["a/mcp", "../x", "a//b", "", "sp ace"] {
            #expect(throws: StoreError.self, "\(bad)") { try store.createServer(name: "u", basePath: bad, apiName: "api", operations: nil) }
        }
        let error = #expect(throws: StoreError.self) { try store.deleteAPI(named: "api") }
        #expect(error?.code == .conflict)
        try store.deleteServer(named: "s")
        try store.deleteAPI(named: "api")
        #expect(try store.apis().isEmpty)
    }

    @Test("kill -9 during writes leaves a database that opens and passes integrity_check")
    func killDuringWrites() async throws {
        let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/gatehouse").path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build the gatehouse product first")
        let dir = TempDir()
        let spec = dir.path + "/pets.yaml"
        try testSpec.write(toFile: spec, atomically: true, encoding: .utf8)
        let db = dir.path + "/kill.sqlite"
        for round in 0..<6 {
            // posix_spawn + waitpid rather than Foundation's Process, whose waitUntilExit can hang on Linux.
            let args = [
                binary, "api", "import", "api\(round)", "--from", spec, "--base-url", "http://127.0.0.1:9", "--allow-private-network", "--db", db,
            ]
            let argv = args.map { strdup($0) } + [nil]
            defer { argv.forEach { free($0) } }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            var pid: pid_t = 0
            try #require(posix_spawn(&pid, binary, &actions, nil, argv, environ) == 0)
            // Kill at a different point each round, from immediately to after a few milliseconds.
            try await Task.sleep(for: .milliseconds(round * 15))
            kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            let store = try GatewayStore(configuration: .init(path: db))
            #expect(try store.integrityCheck() == "ok")
        }
    }
}

@Suite struct StoreURLRefusalTests {
    @Test(arguments: ["postgres://user:secret@db.example/gatehouse", "postgresql://db/gh", "sqlite:///tmp/x.db"])
    func aDatabaseURLIsRefusedClearly(url: String) throws {
        do {
            _ = try GatewayStore(configuration: StoreConfiguration(path: url))
            Issue.record("a URL was accepted as a database path")
        } catch {
            #expect(error.message.contains("SQLite file path"))
            #expect(!error.message.contains("secret"))
        }
        // Nothing was created relative to the working directory (no `postgres:` directory).
        let scheme = String(url.prefix { $0 != ":" }) + ":"
        #expect(!FileManager.default.fileExists(atPath: scheme))
    }
}
