import ArgumentParser
import ConsoleUI
import Foundation
import GatewayEngine
import Logging
import ServiceLifecycle
import Store

extension Console {
    /// The console without an engine of its own: live panes from a running engine's admin endpoint, configuration
    /// through the store it serves (whose revision the engine watches). Quitting leaves the engine running.
    func runAttached(_ target: AdminClient.Target, _ base: ConsoleConfiguration) async throws {
        let token = try attachTokenFile.map(AdminOptions.readToken)
        let interval = Duration.milliseconds(Int((refresh * 1000).rounded()))
        let client = AdminClient(target: target, token: token, readTimeout: interval * 3 + .seconds(10))
        let status: EngineStatus
        do {
            status = try await client.fetchStatus()
        } catch {
            await client.shutdown()
            throw GatewayError(
                .notFound,
                "no Gatehouse engine answers on \(target) (\(AdminClient.describe(error))); start one with `gatehouse serve`, or run `gatehouse console` without --attach to embed one"
            )
        }
        // The engine says which database it serves; over TCP it may be elsewhere, so --db wins when given.
        let database = store.db ?? status.database
        guard FileManager.default.fileExists(atPath: database) else {
            await client.shutdown()
            throw GatewayError(
                .notFound,
                "the engine on \(target) serves '\(status.database)', which this machine cannot open; give the database with --db to manage its configuration"
            )
        }
        let logger = Logger(label: "gatehouse") { _ in SwiftLogNoOpLogHandler() }
        let storeHandle = try GatewayStore(configuration: StoreConfiguration(path: database), logger: logger)
        let remote = RemoteMonitor(client: client, interval: interval)

        var consoleConfig = base
        consoleConfig.refreshInterval = interval
        consoleConfig.listenAddress = { remote.link.status?.listen ?? "" }
        consoleConfig.engine = { remote.link }
        let pid = ProcessInfo.processInfo.processIdentifier
        let console = ConsoleService(
            monitoring: remote, store: storeHandle,
            report: { level, message in Task { await client.report(level, "attached console (pid \(pid)): \(message)") } }, demo: nil,
            configuration: consoleConfig)
        var groupConfig = ServiceGroupConfiguration(
            services: [.init(service: remote), .init(service: console, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfig.maximumGracefulShutdownDuration = .seconds(5)
        try await ServiceGroup(configuration: groupConfig).run()
    }
}
