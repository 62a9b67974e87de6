import Foundation
import GatewayEngine
import Store

/// When the sampler re-reads the registry: when the configuration or the recorded health moved, or the console ran a
/// registry action (a probe it asked for).
struct RegistryCacheKey: Sendable, Equatable {
    var config: Int64
    var health: Int64
    var actions: Int
}

/// The registry's rows for the console: rebuilt from the store when a revision moves (the routing table is compiled
/// then, never on every refresh); each sample refreshes only the gateway entries' last-hour traffic, from the engine's
/// monitor when it runs in this process.
extension ConsoleDataSampler {
    func registry() -> RegistryListing {
        let revisions = (try? store.registryRevisions()) ?? (config: -1, health: -1)
        let key = RegistryCacheKey(config: revisions.config, health: revisions.health, actions: UpstreamActionCounter.shared.current(for: store))
        let figures = (monitoring as? RequestMonitor)?.liveFigures
        var listing: RegistryListing
        if let cached = lock.withLock({ cachedRegistry }), cached.key == key {
            listing = cached.listing
        } else {
            do {
                let origin = listenAddress()
                listing = try RegistryAdmin(store: store).listing(origin: origin.isEmpty ? "http://127.0.0.1:8080" : origin, live: figures)
                lock.withLock { cachedRegistry = (key, listing) }
            } catch {
                return lock.withLock { cachedRegistry?.listing } ?? .empty
            }
        }
        if let figures {
            for i in listing.rows.indices where listing.rows[i].kind == .gateway && listing.rows[i].status != .deleted {
                if let server = listing.rows[i].server { listing.rows[i].live = figures.figures(server: server) ?? LiveFigures() }
            }
        }
        return listing
    }
}
