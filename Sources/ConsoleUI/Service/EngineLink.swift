import Foundation
import GatewayEngine

/// Which engine the console shows and how it is reached: the one it embeds, or one it is attached to through the
/// admin endpoint (then with whether it answers). The header, the quit key and its confirmation read it.
public struct EngineLink: Sendable, Equatable {
    /// Attached to a running engine (quitting leaves it running), rather than embedding one.
    public var attached: Bool
    /// The admin socket or URL, when attached.
    public var target: String
    /// The engine's last status (nil until known).
    public var status: EngineStatus?
    /// Why the engine is not answering (attached only), nil while it does.
    public var problem: String?

    /// A link.
    public init(attached: Bool = false, target: String = "", status: EngineStatus? = nil, problem: String? = nil) {
        self.attached = attached
        self.target = target
        self.status = status
        self.problem = problem
    }

    /// The engine embedded in this console.
    public static let embedded = EngineLink()

    /// Clients that quitting would cut off: 0 when attached (quitting leaves the engine serving).
    public var clientsCutOffByQuit: Int { attached ? 0 : status?.connectedClients ?? 0 }
}
