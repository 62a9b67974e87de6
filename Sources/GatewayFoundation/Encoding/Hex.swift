import Crypto
import Foundation

/// Lowercase hex, for digests and identifiers.
package enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// The bytes as lowercase hex.
    package static func encode<S: Sequence<UInt8>>(_ bytes: S) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The SHA-256 of a string's UTF-8, as lowercase hex.
    package static func sha256(_ text: String) -> String { encode(SHA256.hash(data: Data(text.utf8))) }
}
