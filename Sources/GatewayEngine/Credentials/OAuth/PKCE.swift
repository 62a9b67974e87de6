import Crypto
import Foundation

/// Proof Key for Code Exchange (RFC 7636), S256 only, and the `state` value of an authorization request.
enum PKCE {
    /// A fresh code verifier: 256 random bits, base64url without padding (43 characters, all unreserved).
    static func verifier() -> String { randomBase64URL(bytes: 32) }

    /// The S256 challenge for a verifier: base64url (no padding) of SHA-256 over its ASCII bytes.
    static func challenge(for verifier: String) -> String {
        Base64URL.encode(SHA256.hash(data: Array(verifier.utf8)))
    }

    /// A fresh `state` for an authorization request: 256 random bits, base64url without padding.
    static func state() -> String { randomBase64URL(bytes: 32) }

    /// `bytes` bytes from the system's cryptographically secure generator, base64url-encoded.
    static func randomBase64URL(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}
