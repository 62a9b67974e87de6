import Foundation
import GatewayEngine
import Logging
import ServiceLifecycle
import Store

/// The terminal admin console as a `Service`: run it in the same `ServiceGroup` as the gateway's HTTP application,
/// configured with `successTerminationBehavior: .gracefullyShutdownGroup`, so that quitting the console shuts the
/// engine down gracefully, and a graceful shutdown (SIGTERM, SIGINT) closes the console.
///
/// ```swift
/// let console = ConsoleService(gateway: gateway, demo: demoBackend, configuration: config)
/// let group = ServiceGroup(configuration: .init(
///     services: [.init(service: app), .init(service: demoBackend),
///                .init(service: console, successTerminationBehavior: .gracefullyShutdownGroup)],
///     gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
/// try await group.run()
/// ```
///
/// `run()` owns the terminal on the main actor: it samples data every ``ConsoleConfiguration/refreshInterval``
/// (a pull model that never slows the engine), feeds keys, resizes and samples to ``ConsoleState``, executes the
/// effects, and draws ``ConsoleRenderer`` output. The terminal is restored on every exit path.
public struct ConsoleService: Service {
    let configuration: ConsoleConfiguration
    let monitoring: any GatewayMonitoring
    let store: GatewayStore
    let reload: @Sendable () -> Void
    let report: @Sendable (EngineEvent.Level, String) -> Void
    let demo: DemoBackend?

    /// A console over an explicit monitoring interface and store.
    /// - Parameters:
    ///   - reload: makes the engine pick up a configuration change at once.
    ///   - report: records admin changes in the engine's log pane.
    ///   - demo: the demo backend (`nil` disables loading the demo).
    public init(
        monitoring: any GatewayMonitoring, store: GatewayStore, reload: @escaping @Sendable () -> Void = {},
        report: @escaping @Sendable (EngineEvent.Level, String) -> Void = { _, _ in }, demo: DemoBackend? = nil,
        configuration: ConsoleConfiguration = ConsoleConfiguration()
    ) {
        self.monitoring = monitoring
        self.store = store
        self.reload = reload
        self.report = report
        self.demo = demo
        self.configuration = configuration
    }

    /// A console over a gateway's monitor and store.
    public init(gateway: Gateway, demo: DemoBackend? = nil, configuration: ConsoleConfiguration = ConsoleConfiguration()) {
        self.init(
            monitoring: gateway.monitor, store: gateway.store, reload: { gateway.reloadIfChanged() }, report: { gateway.monitor.event($0, $1) },
            demo: demo,
            configuration: configuration)
    }

    public func run() async throws {
        try await Self.runLoop(self)
    }

    @MainActor
    static func runLoop(_ service: ConsoleService) async throws {
        try await ConsoleLoop(service: service).run()
    }

    /// The headless parts (sampler, executor, edit session) wired as this service wires them.
    @MainActor
    public func makeDriver(state: ConsoleState) -> ConsoleDriver {
        let sampler = ConsoleDataSampler(
            monitoring: monitoring, store: store, listenAddress: configuration.listenAddress, engine: configuration.engine,
            recordLimit: configuration.recordLimit,
            eventLimit: configuration.eventLimit, environment: configuration.credentialEnvironment)
        let executor = ConsoleEffectExecutor(
            store: store, readOnly: configuration.readOnly, demo: demo.map { DemoLoader(store: store, backend: $0) }, reload: reload, report: report,
            environment: configuration.credentialEnvironment)
        let edits = ConsoleEditSession(store: store, directory: configuration.temporaryDirectory, reload: reload)
        return ConsoleDriver(state: state, sampler: sampler, executor: executor, editSession: edits)
    }
}

/// The console's event loop on the main actor.
@MainActor
final class ConsoleLoop {
    enum Input: Sendable {
        case terminal(TerminalEvent)
        case tick
        case changed(quit: Bool)
        case shutdown
    }

    let service: ConsoleService
    /// A tick is queued and not yet handled: ticks never pile up (during an edit session, for instance).
    private var tickPending = false

    init(service: ConsoleService) { self.service = service }

    func run() async throws {
        let config = service.configuration
        let terminal = CursesTerminal(monochrome: config.monochrome, mouse: config.mouse)
        let (inputs, sink) = AsyncStream.makeStream(of: Input.self, bufferingPolicy: .bufferingNewest(256))
        try terminal.start { event in sink.yield(.terminal(event)) }
        defer { terminal.stop() }

        var state = ConsoleState(
            readOnly: config.readOnly, monochrome: config.monochrome || terminal.isMonochrome, asciiOnly: !terminal.isUTF8,
            width: terminal.width, height: terminal.height)
        state.themeOverrides = config.theme
        let driver = service.makeDriver(state: state)
        let editorEnvironment = config.editorEnvironment
        driver.editFile = { path in
            try await terminal.suspend { try await EditorLauncher.run(path: path, environment: editorEnvironment) }
        }
        driver.runsEffectsInBackground = true
        driver.copy = { text in terminal.copyToClipboard(text) }
        driver.onBackgroundChange = { quit in sink.yield(quit ? .shutdown : .changed(quit: false)) }

        await driver.refresh()
        terminal.draw(driver.screen)
        if let demo = service.demo {
            let loader = DemoLoader(store: service.store, backend: demo)
            let (reload, report) = (service.reload, service.report)
            Task.detached {
                do {
                    if try await loader.reconnect() {
                        reload()
                        report(.info, "demo backend restarted on \(loader.baseURL ?? "?"); API 'demo' points at it")
                    }
                } catch {
                    report(.warning, "the demo backend could not be restarted: \(error)")
                }
                sink.yield(.tick)
            }
        }
        let interval = config.refreshInterval
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if !self.tickPending {
                    self.tickPending = true
                    sink.yield(.tick)
                }
            }
        }
        defer { ticker.cancel() }

        await withGracefulShutdownHandler {
            for await input in inputs {
                let quit: Bool
                switch input {
                case .terminal(.key(let key)): quit = await driver.send(.key(key))
                case .terminal(.paste(let text)): quit = await driver.send(.paste(text))
                case .terminal(.resize(let width, let height)): quit = await driver.send(.resize(width: width, height: height))
                case .terminal(.mouse(let event)): quit = await driver.send(.mouse(event))
                case .tick:
                    tickPending = false
                    quit = await driver.refresh()
                case .changed(let q): quit = q
                case .shutdown: quit = true
                }
                if quit { break }
                terminal.draw(driver.screen)
            }
        } onGracefulShutdown: {
            sink.yield(.shutdown)
            EditorLauncher.terminateRunningEditor()
        }
        sink.finish()
    }
}
