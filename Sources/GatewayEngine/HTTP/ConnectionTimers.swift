import NIOCore

/// The header and body deadlines of one client connection, as a value type apart from the channel (the handlers in
/// `ConnectionGuard.swift` feed it events and carry out its actions).
///
/// A connection must deliver a request head within the header timeout of its first byte (a new connection: of its
/// acceptance), and the body within the body timeout of the head. While the gateway answers (an SSE stream
/// included) no deadline runs; between requests Hummingbird's idle timeout applies.
struct ConnectionTimers: Sendable, Equatable {
    /// Where the connection is.
    enum Phase: Sendable, Equatable {
        /// Waiting for (the rest of) a request head.
        case awaitingHead
        /// The head arrived; reading the body.
        case readingBody
        /// The request is read; the gateway answers.
        case inFlight
        /// No request in flight and no byte of the next one yet.
        case idle
    }

    /// Why a connection is closed.
    enum Timeout: String, Sendable, Equatable {
        case header = "header_timeout"
        case body = "body_timeout"
    }

    /// What the channel must do.
    enum Action: Sendable, Equatable {
        case none
        /// Make sure a timer fires by this deadline (one timer is enough: it re-arms itself when the deadline moved).
        case arm(NIODeadline)
        case close(Timeout)
    }

    private(set) var phase: Phase = .awaitingHead
    private(set) var deadline: NIODeadline?
    let headerTimeout: TimeAmount
    let bodyTimeout: TimeAmount

    init(headerTimeout: TimeAmount, bodyTimeout: TimeAmount) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
    }

    /// The connection was accepted: its first request head is due.
    mutating func accepted(at now: NIODeadline) -> Action {
        phase = .awaitingHead
        return arm(now + headerTimeout)
    }

    /// Bytes arrived: on an idle connection they start the next request, whose head is now due.
    mutating func bytesRead(at now: NIODeadline) -> Action {
        guard phase == .idle else { return .none }
        phase = .awaitingHead
        return arm(now + headerTimeout)
    }

    /// A request head was decoded: its body is now due.
    mutating func headRead(at now: NIODeadline) -> Action {
        phase = .readingBody
        return arm(now + bodyTimeout)
    }

    /// The request's body ended: no deadline while the gateway answers.
    mutating func bodyEnded() {
        guard phase == .readingBody else { return }
        phase = .inFlight
        deadline = nil
    }

    /// The answer ended.
    mutating func responseEnded() {
        if phase == .inFlight { phase = .idle }
    }

    /// The timer fired: close when the deadline passed, else re-arm for the deadline that moved.
    mutating func timerFired(at now: NIODeadline) -> Action {
        guard let deadline else { return .none }
        if now >= deadline { return .close(phase == .readingBody ? .body : .header) }
        return .arm(deadline)
    }

    private mutating func arm(_ at: NIODeadline) -> Action {
        deadline = at
        return .arm(at)
    }
}
