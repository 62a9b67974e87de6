import Crypto
import Foundation

/// Hexadecimal: lowercase for digests and identifiers, the digit tables the percent and JSON escapes use, and a
/// strict decoder.
package enum Hex {
    /// `0`–`9`, `a`–`f` as ASCII bytes.
    package static let lowercaseDigits = Array("0123456789abcdef".utf8)
    /// `0`–`9`, `A`–`F` as ASCII bytes (percent-encoding's preferred case, RFC 3986 §2.1).
    package static let uppercaseDigits = Array("0123456789ABCDEF".utf8)

    /// The bytes as lowercase hex.
    package static func encode<S: Sequence<UInt8>>(_ bytes: S) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in bytes {
            out.append(lowercaseDigits[Int(b >> 4)])
            out.append(lowercaseDigits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of hex text (either case); nil for an odd length or any other character.
    package static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let ascii = Array(text.utf8)
        guard ascii.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(ascii.count / 2)
        var i = 0
        while i < ascii.count {
            guard let high = value(ascii[i]), let low = value(ascii[i + 1]) else { return nil }
            out.append(high << 4 | low)
            i += 2
        }
        return out
    }

    private static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The SHA-256 of a string's UTF-8, as lowercase hex.
    package static func sha256(_ text: String) -> String { encode(SHA256.hash(data: Data(text.utf8))) }
}
