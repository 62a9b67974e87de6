import ArgumentParser
import ConsoleUI
import Foundation
import GatewayEngine
import Logging
import ServiceLifecycle
import Store

/// `gatehouse console` (the default command): the terminal admin console with the engine serving MCP traffic in the
/// same process. The HTTP application, the demo backend and the console run in one `ServiceGroup`; quitting the
/// console (or SIGTERM/SIGINT) shuts the whole group down gracefully.
struct Console: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Open the terminal admin console, with the engine serving MCP traffic (the default command).",
        discussion: """
            Needs a terminal on stdin and stdout; use `gatehouse serve` to run headless. Logs go to the console's log \
            pane, never to the terminal. NO_COLOR (any non-empty value) has the same effect as --no-color. \
            GATEHOUSE_CONSOLE_PORT_FILE, when set, names a file the bound port is written to once the server listens. \
            `q` (or SIGTERM/SIGINT) shuts the engine down gracefully and exits with status 0.
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var engine: EngineOptions
    @OptionGroup var admin: AdminOptions

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Watch and manage a running engine instead of starting one: its admin socket or http://HOST:PORT ('auto', or no value: the socket beside --db).",
            valueName: "socket|url"))
    var attach: String?

    @Option(name: .long, help: "A file holding the bearer token of an --attach http:// admin endpoint.")
    var attachTokenFile: String?

    @Option(name: .long, help: "Address to listen on, HOST:PORT (port 0 picks a free port).")
    var listen = "127.0.0.1:8080"

    @Option(name: .long, help: "Log level for the log pane: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    @Flag(name: .long, help: "Hide and refuse every mutating action.")
    var readOnly = false

    @Flag(name: .customLong("no-color"), help: "Monochrome theme (also when NO_COLOR is set).")
    var noColor = false

    @Option(
        name: .long,
        help: "A theme file (YAML, role: style); default $GATEHOUSE_THEME, else ~/.config/gatehouse/theme.yaml when it exists.")
    var theme: String?

    @Flag(name: .customLong("no-mouse"), help: "Leave the mouse to the terminal (no clicks or wheel in the console).")
    var noMouse = false

    @Option(name: .long, help: "Seconds between refreshes of the live panes (0.1–60).")
    var refresh: Double = 1

    func validate() throws {
        guard refresh >= 0.1 && refresh <= 60 else { throw ValidationError("--refresh must be between 0.1 and 60 seconds") }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() async throws {
        guard CursesTerminal.isInteractive else {
            FileHandle.standardError.write(Data("gatehouse: the console needs a terminal; use `gatehouse serve` to run headless\n".utf8))
            throw ExitCode(1)
        }
        try await runReportingErrors {
            // The console's own settings first: a bad theme file stops here, before any engine starts.
            let base = try interfaceConfiguration(environment: ProcessInfo.processInfo.environment)
            if let target = try await attachTarget() {
                try await runAttached(target, base)
            } else {
                try await runConsole(base)
            }
        }
    }

    /// What both consoles (embedding and attached) take from the flags and the environment: read-only, colours, the
    /// mouse and the theme file.
    func interfaceConfiguration(environment: [String: String]) throws -> ConsoleConfiguration {
        var c = ConsoleConfiguration()
        c.readOnly = readOnly
        c.monochrome = noColor || ConsoleConfiguration.environmentWantsNoColor(environment)
        c.mouse = !noMouse
        if let path = theme ?? ThemeOverrides.defaultPath(environment: environment) { c.theme = try ThemeOverrides.load(path: path) }
        return c
    }

    /// Where to attach: `--attach`, or the socket beside the database when an engine answers there.
    func attachTarget() async throws -> AdminClient.Target? {
        let beside = admin.socketPath(database: store.path) ?? AdminEndpointConfiguration.defaultSocketPath(database: store.path)
        if let attach { return attach == "auto" || attach.isEmpty ? .socket(beside) : AdminClient.Target(attach) }
        guard FileManager.default.fileExists(atPath: beside), (try? await AdminClient(socketPath: beside).status()) != nil else { return nil }
        return .socket(beside)
    }

    func runConsole(_ base: ConsoleConfiguration) async throws {
        var config = GatewayConfiguration()
        (config.host, config.port) = try parseListen(listen)
        engine.apply(to: &config)
        let environment = ProcessInfo.processInfo.environment
        // curses owns the terminal: every log message goes to the engine's events (the log pane).
        let sink = ConsoleLogSink()
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let logger = Logger(label: "gatehouse") { _ in MonitorLogHandler(sink: sink, logLevel: level) }
        let adminConfig = try await admin.claimedConfiguration(database: store.path, logger: logger)
        try await ListenFailure.checkFree(host: config.host, port: config.port, listen: listen)
        let storeHandle = try GatewayStore(configuration: engine.storeConfiguration(path: store.path), logger: logger)
        let gateway = Gateway(store: storeHandle, configuration: config, logger: logger)
        sink.attach(gateway.monitor)

        let address = ListenAddress()
        let host = config.host.contains(":") ? "[\(config.host)]" : config.host
        let configuredPort = config.port
        let portFile = environment["GATEHOUSE_CONSOLE_PORT_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        let app = gateway.makeApplication { bound in
            let port = bound?.port ?? configuredPort
            address.set("http://\(host):\(port)")
            if let portFile { try? Data("\(port)\n".utf8).write(to: URL(fileURLWithPath: portFile), options: .atomic) }
        }
        let demo = DemoBackend()

        var consoleConfig = base
        consoleConfig.refreshInterval = .milliseconds(Int((refresh * 1000).rounded()))
        consoleConfig.listenAddress = { address.current }
        consoleConfig.engine = { [weak gateway] in EngineLink(status: gateway?.status(mode: "console", listen: address.current)) }
        let console = ConsoleService(gateway: gateway, demo: demo, configuration: consoleConfig)
        let endpoint = gateway.makeAdminEndpoint(adminConfig, mode: "console", listen: { address.current })

        var groupConfig = ServiceGroupConfiguration(
            // Services stop in reverse order: the console, then the gateway (whose backend client closes its
            // keep-alive connections to the demo), then the demo backend, which would otherwise wait for them.
            services: [
                .init(service: demo),
                .init(service: app),
            ] + endpoint.services().map { .init(service: $0) } + [
                .init(service: console, successTerminationBehavior: .gracefullyShutdownGroup)
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        groupConfig.maximumGracefulShutdownDuration = .seconds(10)
        do {
            try await ServiceGroup(configuration: groupConfig).run()
        } catch {
            throw ListenFailure.explain(error, listen: listen)
        }
    }
}
