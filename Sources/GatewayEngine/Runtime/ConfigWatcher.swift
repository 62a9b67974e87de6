import Logging
import ServiceLifecycle
import Store

/// Polls the store's configuration revision and reloads the routing table when another process (the CLI, the
/// console) changed it, so changes take effect without a restart.
struct ConfigWatcher: Service {
    let engine: Gateway
    let interval: Duration

    init(engine: Gateway, interval: Duration = .milliseconds(250)) {
        self.engine = engine
        self.interval = interval
    }

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: interval)
            engine.reloadIfChanged()
        }
    }
}
