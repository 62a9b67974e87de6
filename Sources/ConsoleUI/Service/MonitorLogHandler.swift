import Foundation
import GatewayEngine
import Logging
import Synchronization

/// Where the console's log handler sends messages: the engine monitor's events (the log pane), never stdout or
/// stderr, which curses owns. Messages logged before ``attach(_:)`` are kept (up to 100) and delivered then.
public final class ConsoleLogSink: Sendable {
    private struct State {
        var monitor: RequestMonitor?
        var early: [(EngineEvent.Level, String)] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Starts delivering to `monitor`, beginning with what was logged so far.
    public func attach(_ monitor: RequestMonitor) {
        let pending = state.withLock { state in
            state.monitor = monitor
            defer { state.early = [] }
            return state.early
        }
        for (level, message) in pending { monitor.event(level, message) }
    }

    /// Delivers one message, dropping a repeat of an event the engine reported itself in the last two seconds (the
    /// engine reports some happenings both as an event and as a log message; `key` is the message without metadata).
    func deliver(_ level: EngineEvent.Level, _ message: String, key: String? = nil) {
        let target: RequestMonitor? = state.withLock { state in
            if state.monitor == nil && state.early.count < 100 { state.early.append((level, message)) }
            return state.monitor
        }
        guard let target else { return }
        let now = Date()
        let prefix = key ?? message
        let repeated = target.recentEvents(limit: 5).contains { $0.message.hasPrefix(prefix) && now.timeIntervalSince($0.time) < 2 }
        if !repeated { target.event(level, message) }
    }
}

/// A `LogHandler` that turns log messages into engine events for the console's log pane.
public struct MonitorLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let sink: ConsoleLogSink

    /// - Parameters:
    ///   - sink: where messages go.
    ///   - logLevel: the least severe level kept.
    public init(sink: ConsoleLogSink, logLevel: Logger.Level) {
        self.sink = sink
        self.logLevel = logLevel
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let extra = event.metadata { all.merge(extra) { _, new in new } }
        let message = "\(event.message)"
        var text = message
        if !all.isEmpty { text += " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
        let level: EngineEvent.Level
        switch event.level {
        case .trace, .debug, .info: level = .info
        case .notice, .warning: level = .warning
        case .error, .critical: level = .error
        }
        sink.deliver(level, text, key: message)
    }
}
