import Synchronization

/// Limits on client connections and long-lived streams, so that one client address cannot hold the gateway's
/// connections or streams and a slow client cannot hold a connection without sending its request.
public struct ConnectionLimits: Sendable, Equatable {
    /// Connections one client address holds at once; more are closed at once. Default 64. Connections from a
    /// trusted proxy are not capped per address (the proxy speaks for many clients).
    public var perClientAddress = 64
    /// When the gateway holds 7/8 of its connections (``GatewayConfiguration/maxConnections``), an address that
    /// holds this many already gets no more, so new clients still get in. Default 8.
    public var fairShare = 8
    /// Open SSE streams (legacy `/sse`, Streamable HTTP GET) per client address (after trusted proxies); 429 beyond.
    /// Default 16.
    public var streamsPerClientAddress = 16
    /// From a connection's first byte (or the first byte of its next request) to the end of the request head. A
    /// client that drips its headers (slowloris) is cut off there. Default 10 s.
    public var headerTimeout: Duration = .seconds(10)
    /// From the request head to the end of its body. Default 30 s.
    public var bodyTimeout: Duration = .seconds(30)
    /// A connection with no request in flight is closed after this. Default 60 s.
    public var idleTimeout: Duration = .seconds(60)
    /// A stream that carried nothing but keep-alives for this long is ended (a Streamable HTTP client reconnects; a
    /// legacy SSE session ends, as an idle session would). Default 30 minutes.
    public var streamIdleLifetime: Duration = .seconds(1800)

    /// The documented defaults.
    public init() {}
}

/// Counts what each client address holds (connections or streams) against a per-address cap, with an optional
/// fair-share rule when the whole nears its own cap.
final class AddressSlots: Sendable {
    /// Why a slot was refused.
    enum Refusal: String, Sendable {
        /// The address holds its cap already.
        case clientAddress = "client_address"
        /// The gateway is nearly full and the address holds its fair share.
        case fairShare = "fair_share"
    }

    private struct Counts {
        var byAddress: [String: Int] = [:]
        var total = 0
    }

    let perAddress: Int
    let fairShare: Int
    /// The total from which the fair-share rule applies (nil: never).
    let nearlyFull: Int?
    private let counts = Mutex(Counts())

    init(perAddress: Int, fairShare: Int = .max, nearlyFull: Int? = nil) {
        self.perAddress = perAddress
        self.fairShare = fairShare
        self.nearlyFull = nearlyFull
    }

    /// Takes a slot for `address`, unless it holds its cap (or its fair share of a nearly full whole);
    /// `exempt` addresses (trusted proxies) are counted but never refused.
    func acquire(_ address: String, exempt: Bool = false) -> Refusal? {
        counts.withLock { c in
            let held = c.byAddress[address, default: 0]
            if !exempt {
                if held >= perAddress { return .clientAddress }
                if let nearlyFull, c.total >= nearlyFull, held >= fairShare { return .fairShare }
            }
            c.byAddress[address] = held + 1
            c.total += 1
            return nil
        }
    }

    /// Gives a slot back.
    func release(_ address: String) {
        counts.withLock { c in
            guard let held = c.byAddress[address] else { return }
            c.byAddress[address] = held > 1 ? held - 1 : nil
            c.total -= 1
        }
    }

    /// Slots held by `address`, and in all.
    func held(by address: String) -> (address: Int, total: Int) { counts.withLock { ($0.byAddress[address, default: 0], $0.total) } }
}
