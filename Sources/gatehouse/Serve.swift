import ArgumentParser
import ConsoleUI
import Foundation
import GatewayEngine
import Hummingbird
import Logging
import ServiceLifecycle
import Store

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve every enabled MCP server (headless).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var engine: EngineOptions

    @Option(name: .long, help: "Address to listen on, HOST:PORT (port 0 picks a free port).")
    var listen = "127.0.0.1:8080"

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    @OptionGroup var admin: AdminOptions

    func run() async throws {
        try await runReportingErrors {
            var config = GatewayConfiguration()
            (config.host, config.port) = try parseListen(listen)
            engine.apply(to: &config)
            let level = Logger.Level(rawValue: logLevel) ?? .info
            // Logs go to stderr and, as events, to consoles attached through the admin endpoint.
            let sink = ConsoleLogSink()
            let logger = Logger(label: "gatehouse") { label in
                var h = StreamLogHandler.standardError(label: label)
                h.logLevel = level
                return MultiplexLogHandler([h, MonitorLogHandler(sink: sink, logLevel: max(level, .info))])
            }
            let adminConfig = try await admin.claimedConfiguration(database: store.path, logger: logger)
            let storeHandle = try GatewayStore(configuration: engine.storeConfiguration(path: store.path), logger: logger)
            let gateway = Gateway(store: storeHandle, configuration: config, logger: logger)
            sink.attach(gateway.monitor)
            let host = config.host.contains(":") ? "[\(config.host)]" : config.host
            let configuredPort = config.port
            let address = ListenAddress()
            let app = gateway.makeApplication { bound in
                let port = bound?.port ?? configuredPort
                address.set("http://\(host):\(port)")
                FileHandle.standardOutput.write(Data("listening on http://\(host):\(port)\n".utf8))
            }
            let endpoint = gateway.makeAdminEndpoint(adminConfig, mode: "serve", listen: { address.current })
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: [.init(service: app)] + endpoint.services().map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: logger))
            do {
                try await group.run()
            } catch {
                throw ListenFailure.explain(error, listen: listen)
            }
        }
    }
}

func parseListen(_ text: String) throws -> (String, Int) {
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
        throw GatewayError(.invalidArgument, "--listen must be HOST:PORT, got '\(text)'")
    }
    var host = String(text[..<colon])
    if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    if host.isEmpty { host = "127.0.0.1" }
    return (host, port)
}
