import Foundation
import GatewayEngine
import GatewayFoundation
import Logging
import ServiceLifecycle
import Synchronization

/// ``GatewayMonitoring`` of an engine in another process, read through its admin endpoint (``AdminClient``): a
/// `Service` that keeps one stream open, folds what it brings into a local copy (the last snapshot and status, a
/// ring of records and events), and reconnects with back-off when the engine goes away, so that the console's
/// sampler reads it exactly as it reads an embedded engine's monitor, without waiting on the network.
public final class RemoteMonitor: GatewayMonitoring, Service, Sendable {
    struct State {
        var snapshot = MonitorSnapshot(startedAt: Date(), takenAt: Date(), total: TrafficStats(), servers: [:], droppedLogRecords: 0)
        var status: EngineStatus?
        var records: [RequestRecord] = []
        var events: [EngineEvent] = []
        var problem: String? = "connecting…"
        var missed = 0
    }

    let client: AdminClient
    let interval: Duration
    let ringCapacity: Int
    private let state = Mutex(State())
    private let recordReaders = FanOut<RequestRecord>()
    private let eventReaders = FanOut<EngineEvent>()
    private let linkReaders = FanOut<EngineLink>()

    /// A monitor of the engine `client` reaches, refreshed every `interval`, keeping the last `ringCapacity` records.
    public init(client: AdminClient, interval: Duration = .seconds(1), ringCapacity: Int = 1_000) {
        self.client = client
        self.interval = interval
        self.ringCapacity = ringCapacity
    }

    /// How the console shows the link.
    public var link: EngineLink {
        state.withLock { EngineLink(attached: true, target: client.target.description, status: $0.status, problem: $0.problem) }
    }

    /// Streams until cancelled or shut down; a lost connection is retried after 0.5 s, doubling up to 5 s.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var delay = Duration.milliseconds(500)
            while !Task.isCancelled {
                do {
                    let messages = try await self.client.stream(records: self.ringCapacity, events: 500, interval: self.interval)
                    var first = true
                    for try await message in messages {
                        if first {
                            self.state.withLock { s in
                                s.records = []
                                s.events = []
                            }
                            first = false
                        }
                        self.apply(message)
                        delay = .milliseconds(500)
                    }
                    self.lost("the engine closed the admin stream")
                } catch {
                    if Task.isCancelled { break }
                    self.lost(Self.describe(error))
                }
                do { try await Task.sleep(for: delay) } catch { break }
                delay = min(delay * 2, .seconds(5))
            }
        }
        await client.shutdown()
        recordReaders.finish()
        eventReaders.finish()
        linkReaders.finish()
    }

    func apply(_ message: AdminClient.StreamMessage) {
        switch message {
        case .status(let status):
            let regained = state.withLock { s in
                defer {
                    s.status = status
                    s.problem = nil
                }
                return s.problem != nil
            }
            if regained { linkChanged() }
        case .snapshot(let snapshot): state.withLock { $0.snapshot = snapshot }
        case .record(let record):
            state.withLock { s in
                s.records.append(record)
                if s.records.count > ringCapacity { s.records.removeFirst(s.records.count - ringCapacity) }
            }
            recordReaders.yield(record)
        case .event(let event):
            state.withLock { s in
                s.events.append(event)
                if s.events.count > 500 { s.events.removeFirst(100) }
            }
            eventReaders.yield(event)
        case .gap(let missed): state.withLock { $0.missed += missed }
        }
    }

    private func lost(_ why: String) {
        state.withLock { $0.problem = why }
        linkChanged()
    }

    private func linkChanged() {
        linkReaders.yield(link)
    }

    /// The link each time the engine is lost or found again.
    public func linkChanges() -> AsyncStream<EngineLink> { linkReaders.subscribe(bufferSize: 4) }

    static func describe(_ error: any Error) -> String {
        let reason = AdminClient.describe(error, limit: 120)
        return reason == "nothing is listening" ? "not answering (is it running?)" : reason
    }

    // MARK: GatewayMonitoring

    public func snapshot() -> MonitorSnapshot { state.withLock { $0.snapshot } }

    public func recentRecords(limit: Int) -> [RequestRecord] { state.withLock { Array($0.records.suffix(limit).reversed()) } }

    public func recentEvents(limit: Int) -> [EngineEvent] { state.withLock { Array($0.events.suffix(limit).reversed()) } }

    public func records(bufferSize: Int) -> AsyncStream<RequestRecord> { recordReaders.subscribe(bufferSize: bufferSize) }

    public func events(bufferSize: Int) -> AsyncStream<EngineEvent> { eventReaders.subscribe(bufferSize: bufferSize) }
}
