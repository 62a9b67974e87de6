import AsyncHTTPClient
import CNCursesW
import ConsoleUI
import Foundation
import GatewayEngine
import Logging
import ServiceLifecycle
import Store
import Testing

/// The console's I/O side without a terminal: the demo, effects, YAML editing, sampling and key decoding.
@Suite("Console driver (headless)", .serialized, .timeLimit(.minutes(1)))
struct ConsoleDriverTests {
    /// A store in a temporary directory, with a demo backend running in a service group.
    final class Fixture: Sendable {
        let dir: String
        let store: GatewayStore
        let monitor = RequestMonitor()
        let demo = DemoBackend()
        let group: ServiceGroup
        let task: Task<Void, any Error>

        init() throws {
            dir = NSTemporaryDirectory() + "gatehouse-driver-" + UUID().uuidString.prefix(8)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            store = try GatewayStore(configuration: .init(path: dir + "/gatehouse.sqlite"))
            let group = ServiceGroup(services: [demo], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            self.group = group
            task = Task { try await group.run() }
        }

        deinit {
            let group = self.group
            Task { await group.triggerGracefulShutdown() }
            try? FileManager.default.removeItem(atPath: dir)
        }

        var loader: DemoLoader { DemoLoader(store: store, backend: demo) }

        func executor(readOnly: Bool = false) -> ConsoleEffectExecutor {
            ConsoleEffectExecutor(store: store, readOnly: readOnly, demo: loader)
        }

        @MainActor
        func driver(readOnly: Bool = false) -> ConsoleDriver {
            ConsoleDriver(
                state: ConsoleState(readOnly: readOnly), sampler: ConsoleDataSampler(monitoring: monitor, store: store),
                executor: executor(readOnly: readOnly),
                editSession: ConsoleEditSession(store: store, directory: dir))
        }
    }

    @Test("loading the demo serves the pets API, imports it and creates the server; a restart reconnects it")
    func demo() async throws {
        let f = try Fixture()
        let outcome = try #require(await f.executor().execute(.loadDemo))
        #expect(outcome.succeeded, "\(outcome.message)")
        let data = ConsoleDataSampler(monitoring: f.monitor, store: f.store).sample()
        #expect(data.apis.map(\.name) == ["demo"])
        #expect(data.apis.first?.operations.map(\.id) == ["listPets", "createPet", "getPet", "deletePet"])
        #expect(data.servers.first?.tools.map(\.name).sorted() == ["createPet", "deletePet", "getPet", "listPets"])
        #expect(data.servers.first?.tools.first?.inputSchema.contains("\"limit\"") == true)
        let base = try #require(f.demo.baseURL)
        #expect(try f.store.api(named: "demo").baseUrl == base)
        let pets = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/pets"), timeout: .seconds(5)).body.collect(upTo: 1 << 16)
        #expect(String(buffer: pets).contains("Rex"))
        // Loading twice is harmless.
        #expect(await f.executor().execute(.loadDemo)?.succeeded == true)

        // A second engine on the same database while the first still serves the demo: it leaves the demo alone.
        let other = DemoBackend()
        let group = ServiceGroup(services: [other], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let task = Task { try await group.run() }
        defer { Task { await group.triggerGracefulShutdown() } }
        #expect(try await DemoLoader(store: f.store, backend: other).reconnect() == false)
        #expect(try f.store.api(named: "demo").baseUrl == base)

        // A later process, once the first is gone: a new backend on a new port; reconnect points the stored API at it.
        await f.group.triggerGracefulShutdown()
        try await f.task.value
        #expect(try await DemoLoader(store: f.store, backend: other).reconnect())
        #expect(try f.store.api(named: "demo").baseUrl == other.baseURL)
        #expect(other.baseURL != base)
        _ = task
    }

    @Test("read-only refuses every mutation, even when the reducer is bypassed")
    func readOnly() async throws {
        let f = try Fixture()
        #expect(await f.executor().execute(.loadDemo)?.succeeded == true)
        let refused = try #require(await f.executor(readOnly: true).execute(.deleteServer(name: "demo")))
        #expect(!refused.succeeded && refused.message.contains("read-only"))
        #expect((try? f.store.server(named: "demo")) != nil)
        let driver = await f.driver(readOnly: true)
        await driver.refresh()
        await driver.send(.key(.char("3")))
        #expect(await !driver.screen.text.contains("read-only"))
        await driver.send(.key(.char("D")))
        #expect(await driver.screen.text.contains("read-only"))
        #expect((try? f.store.server(named: "demo")) != nil)
    }

    @Test("editing YAML: an error reopens the editor with the error on top and the text kept; a fix applies")
    func editReopensOnError() async throws {
        let f = try Fixture()
        #expect(await f.executor().execute(.loadDemo)?.succeeded == true)
        let session = ConsoleEditSession(store: f.store, directory: f.dir)
        var seen: [String] = []
        let outcome = await session.run(.server("demo")) { path in
            let text = try String(contentsOfFile: path, encoding: .utf8)
            seen.append(text)
            let edited: String
            if seen.count == 1 {
                edited = text.replacingOccurrences(of: "api: demo", with: "api: nosuchapi")
            } else {
                edited = text.replacingOccurrences(of: "api: nosuchapi", with: "api: demo")
                    .replacingOccurrences(of: "description: The demo pet store served by Gatehouse itself", with: "description: Edited in a test")
            }
            try edited.write(toFile: path, atomically: true, encoding: .utf8)
        }
        #expect(outcome.succeeded, "\(outcome.message)")
        #expect(seen.count == 2)
        #expect(seen[1].hasPrefix("# error: "))
        #expect(seen[1].contains("nosuchapi"))
        #expect(try f.store.server(named: "demo").description == "Edited in a test")

        let unchanged = await session.run(.tool(server: "demo", tool: "getPet")) { _ in }
        #expect(unchanged == EffectOutcome(succeeded: true, message: "no changes"))
        let renamed = await session.run(.tool(server: "demo", tool: "getPet")) { path in
            let text = try String(contentsOfFile: path, encoding: .utf8)
            try text.replacingOccurrences(of: "name: getPet", with: "name: get_pet").write(toFile: path, atomically: true, encoding: .utf8)
        }
        #expect(renamed.succeeded, "\(renamed.message)")
        #expect(try f.store.tools(serverId: f.store.server(named: "demo").id).contains { $0.tool.name == "get_pet" })
    }

    @Test("the driver loads the demo from the welcome screen and shows the outcome")
    @MainActor
    func driverLoadsDemo() async throws {
        let f = try Fixture()
        let driver = f.driver()
        await driver.refresh()
        #expect(driver.screen.text.contains("Welcome"))
        await driver.send(.key(.char("d")))
        #expect(driver.state.data.servers.map(\.name) == ["demo"])
        #expect(driver.screen.text.contains("demo loaded"))
        #expect(await driver.send(.key(.char("q"))))
    }

    @Test("get_wch results decode into keys")
    func keyDecoding() {
        #expect(KeyDecoder.decode(UInt32(KEY_UP), isFunctionKey: true) == .key(.up))
        #expect(KeyDecoder.decode(UInt32(KEY_NPAGE), isFunctionKey: true) == .key(.pageDown))
        #expect(KeyDecoder.decode(UInt32(KEY_BTAB), isFunctionKey: true) == .key(.backTab))
        #expect(KeyDecoder.decode(UInt32(KEY_ENTER), isFunctionKey: true) == .key(.enter))
        #expect(KeyDecoder.decode(UInt32(KEY_F0 + 5), isFunctionKey: true) == .key(.function(5)))
        #expect(KeyDecoder.decode(13, isFunctionKey: false) == .key(.enter))
        #expect(KeyDecoder.decode(27, isFunctionKey: false) == .key(.escape))
        #expect(KeyDecoder.decode(127, isFunctionKey: false) == .key(.backspace))
        #expect(KeyDecoder.decode(9, isFunctionKey: false) == .key(.tab))
        #expect(KeyDecoder.decode(3, isFunctionKey: false) == .key(.ctrl("c")))
        #expect(KeyDecoder.decode(0x65E5, isFunctionKey: false) == .key(.char("日")))
        #expect(KeyDecoder.decode(0x9B, isFunctionKey: false) == .ignored)
        #expect(EditorLauncher.command(environment: ["EDITOR": "  code  --wait "]) == ["code", "--wait"])
        #expect(EditorLauncher.command(environment: ["VISUAL": "nano", "EDITOR": "vim"]) == ["nano"])
        #expect(EditorLauncher.command(environment: [:]) == ["vi"])
    }
}
