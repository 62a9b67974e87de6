import Foundation
import GatewayEngine

/// A kind of data the console samples for its screens, and when it is re-read. Screens list the feeds they need
/// (``ConsoleScreen/feeds``); ``ConsoleDataSampler`` reads each registered feed at every sample unless its cached value
/// is still good by its ``Refresh`` rule, and keeps the last good value when a read fails. A screen with data of its own
/// declares a feed into ``ConsoleData/screenData`` (``screenData(_:_:refresh:read:)``); a feed may also drain a buffer a
/// stream fills, which is how a screen fed by streamed data gets it.
struct ConsoleFeed: Sendable {
    /// When a cached value is read again.
    struct Refresh: Sendable {
        /// When the store's configuration revision moves.
        var onRevision = false
        /// When the value is older than this (0: at every sample; nil: age alone never re-reads).
        var maxAge: (@Sendable (ConsoleDataSampler) -> TimeInterval)?
        /// When this counter moves (changes the console made that the revision does not count).
        var generation: (@Sendable (ConsoleDataSampler) -> Int)?

        /// At every sample: live figures, rings, streams.
        static let everySample = Refresh(maxAge: { _ in 0 })
        /// Only when the configuration revision moves: rows of the store that the revision triggers watch.
        static let onConfigurationChange = Refresh(onRevision: true)
    }

    /// Unique among the registered feeds.
    let id: String
    let refresh: Refresh
    /// Reads the value (off the main actor, on the sampler's thread).
    let read: @Sendable (ConsoleDataSampler, Date) throws -> ScreenValue
    /// Puts a value into the data.
    let apply: @Sendable (ScreenValue, inout ConsoleData) -> Void
    /// What a sample holds before any read succeeded.
    let initial: ScreenValue

    init<Value: Sendable & Equatable>(
        _ id: String, refresh: Refresh, initial: Value, read: @escaping @Sendable (ConsoleDataSampler, Date) throws -> Value,
        into apply: @escaping @Sendable (inout ConsoleData, Value) -> Void
    ) {
        self.id = id
        self.refresh = refresh
        self.read = { sampler, now in ScreenValue(try read(sampler, now)) }
        self.apply = { value, data in
            if let value = value.base as? Value { apply(&data, value) }
        }
        self.initial = ScreenValue(initial)
    }

    /// A feed of a screen's own data, kept in ``ConsoleData/screenData`` under `key`.
    static func screenData<Value: Sendable & Equatable>(
        _ key: ScreenMemory.Key<Value>, _ initial: Value, refresh: Refresh, read: @escaping @Sendable (ConsoleDataSampler, Date) throws -> Value
    ) -> ConsoleFeed {
        ConsoleFeed(key.name, refresh: refresh, initial: initial, read: read) { data, value in data.screenData[key] = value }
    }
}

extension ConsoleFeed {
    /// Traffic, request records and engine events from ``GatewayMonitoring`` (cheap copies under short locks), and the
    /// listen address: at every sample.
    static let traffic = ConsoleFeed("traffic", refresh: .everySample, initial: Traffic(monitor: ConsoleData.empty().monitor)) { sampler, _ in
        Traffic(
            listenAddress: sampler.listenAddress(), engine: sampler.engine(), monitor: sampler.monitoring.snapshot(),
            records: sampler.monitoring.recentRecords(limit: sampler.recordLimit),
            events: sampler.monitoring.recentEvents(limit: sampler.eventLimit))
    } into: { data, t in
        data.listenAddress = t.listenAddress
        data.engine = t.engine
        data.monitor = t.monitor
        data.records = t.records
        data.events = t.events
    }

    struct Traffic: Sendable, Equatable {
        var listenAddress = ""
        var engine = EngineLink.embedded
        var monitor: MonitorSnapshot
        var records: [RequestRecord] = []
        var events: [EngineEvent] = []
    }

    /// APIs, servers and their tools, policy documents and subscriptions: when the configuration revision moves.
    static let configuration = ConsoleFeed("configuration", refresh: .onConfigurationChange, initial: ConsoleDataSampler.StoreRows()) { sampler, _ in
        try sampler.readConfiguration()
    } into: { data, rows in
        data.apis = rows.apis
        data.servers = rows.servers
        data.policies = rows.policies
        data.subscriptions = rows.subscriptions
    }

    /// Credential providers and connections: when the revision moves, or every ``ConsoleDataSampler/credentialInterval``
    /// (token refreshes and status changes do not move the revision). The master key is loaded at each read, so a key
    /// restored meanwhile unlocks them.
    static let credentials = ConsoleFeed(
        "credentials", refresh: Refresh(onRevision: true, maxAge: { $0.credentialInterval }), initial: ConsoleData.Credentials()
    ) { sampler, _ in
        try sampler.readCredentials()
    } into: { data, credentials in
        data.credentials = credentials
    }

    /// Upstreams and their recorded tools: when the revision moves, or after the console's own upstream action (a
    /// discovery can change a held-back tool's current definition, which does not move the revision).
    static let upstreams = ConsoleFeed(
        "upstreams", refresh: Refresh(onRevision: true, generation: { UpstreamActionCounter.shared.current(for: $0.store) }),
        initial: [ConsoleData.UpstreamRow]()
    ) { sampler, _ in
        try sampler.readUpstreams()
    } into: { data, rows in
        data.upstreams = rows
    }
}
