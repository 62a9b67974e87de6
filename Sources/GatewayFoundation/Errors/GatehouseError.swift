/// An error Gatehouse reports to a person: a stable code, a message, and where it happened. Every module's error
/// struct conforms (``GatewayError``, `StoreError`, `CredentialError`, `UpstreamError`, `TerminalError`), so the
/// CLI prints them all through one printer and the console shows them the same way, with ``formatted``.
public protocol GatehouseError: Error, Sendable, CustomStringConvertible {
    /// The stable, bounded code (`not_found`, `invalid_config`, `credentials_locked`, …), usable as a metrics label.
    var errorCode: String { get }
    /// What went wrong, naming the entity; never a secret.
    var message: String { get }
    /// Where: a JSON pointer (`/paths/~1pets/get`), `file:line:column`, or a field path (`config.yaml: servers[1].api`,
    /// `inbound[0].rate-limit.calls`); nil when the message says it all.
    var location: String? { get }
}

extension GatehouseError {
    /// No location unless the error has one.
    public var location: String? { nil }

    /// One line: `location: message`, or the message alone.
    public var formatted: String {
        if let location { "\(location): \(message)" } else { message }
    }
}
