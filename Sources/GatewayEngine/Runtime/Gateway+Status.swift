import Foundation

extension Gateway {
    /// The engine's status now, as the admin endpoint and the console's quit confirmation show it.
    /// - Parameters:
    ///   - mode: `serve` or `console`.
    ///   - listen: the bound `http://HOST:PORT` (empty until bound).
    public func status(mode: String, listen: String) -> EngineStatus {
        EngineStatus(
            mode: mode, startedAt: monitor.startedAt, listen: listen, database: store.configuration.path, sessions: sessions.count,
            streams: listeners.count)
    }

    /// The admin endpoint over this engine's monitor (``AdminEndpoint``).
    public func makeAdminEndpoint(_ configuration: AdminEndpointConfiguration, mode: String, listen: @escaping @Sendable () -> String)
        -> AdminEndpoint
    {
        AdminEndpoint(configuration: configuration, monitor: monitor, logger: logger) { [weak self] in
            self?.status(mode: mode, listen: listen()) ?? EngineStatus(mode: mode, startedAt: Date(), listen: listen(), database: "")
        }
    }
}
