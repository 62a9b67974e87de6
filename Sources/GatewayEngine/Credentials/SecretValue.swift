/// A secret in memory. It prints, reflects and interpolates only as a mask (`••••wxyz` at most), so it cannot reach a
/// log line, an error message or the screen by accident; ``unmasked`` is the one explicit way to read it.
public struct SecretValue: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let text: String

    /// Wraps a secret.
    public init(_ text: String) { self.text = text }

    /// The secret itself. Call only where it is sent or sealed.
    var unmasked: String { text }

    /// Whether the secret is empty.
    public var isEmpty: Bool { text.isEmpty }

    /// `••••` plus the last four characters when the secret is long enough (16+) for that to reveal nothing useful.
    public var masked: String { text.count >= 16 ? "••••" + String(text.suffix(4)) : "••••" }

    /// The masked form, never the secret.
    public var description: String { masked }
    /// `SecretValue(<masked>)`.
    public var debugDescription: String { "SecretValue(\(masked))" }
    /// Only the masked form, so dumps and debuggers never show the secret.
    public var customMirror: Mirror { Mirror(self, children: ["masked": masked]) }
}
