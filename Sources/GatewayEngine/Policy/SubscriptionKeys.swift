import Crypto
import Foundation
import Store

/// Creates subscriptions and rotates their keys. A key is shown once, when it is made; the store keeps only its
/// SHA-256 and its last four characters.
public struct SubscriptionKeys: Sendable {
    let store: GatewayStore

    /// Key management over the store.
    public init(store: GatewayStore) { self.store = store }

    /// A new key: `ghk_` and 43 base64url characters (256 random bits from the system CSPRNG).
    static func generate() -> String {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        return "ghk_" + Base64URL.encode(bytes)
    }

    /// Checks a name: 1–64 characters of letters, digits, `-`, `_` and `.`.
    public static func validateName(_ name: String) throws(GatewayError) {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_."))
        guard !name.isEmpty, name.count <= 64, name.unicodeScalars.allSatisfy({ allowed.contains($0) && $0.isASCII }) else {
            throw GatewayError(.invalidArgument, "subscription name '\(name.prefix(64))' must be 1–64 letters, digits, '-', '_' or '.'")
        }
    }

    /// An expiry as operators type it: an ISO 8601 time (`2027-01-01T00:00:00Z`) or a number of days from `now` (`30d`,
    /// 1–36,500).
    public static func parseExpiry(_ text: String, now: Date = Date()) throws(GatewayError) -> Date {
        let text = text.trimmingCharacters(in: .whitespaces)
        if text.hasSuffix("d"), let days = Int(text.dropLast()), days > 0, days <= 36_500 {
            return now.addingTimeInterval(Double(days) * 86_400)
        }
        guard let date = ISO8601DateFormatter().date(from: text) else {
            throw GatewayError(.invalidArgument, "expected an ISO 8601 time (2027-01-01T00:00:00Z) or days (30d), got '\(text.prefix(40))'")
        }
        return date
    }

    /// Creates a subscription and returns it with its key (the only time the key exists outside the client).
    /// With `key`, that key is adopted instead of a new one (at least 32 characters).
    public func create(name: String, servers: [String]?, expiresAt: Date?, key: String? = nil) throws -> (SubscriptionRecord, String) {
        try Self.validateName(name)
        if let servers {
            for s in servers { _ = try store.server(named: s) }
        }
        let secret = key ?? Self.generate()
        guard secret.count >= 32, secret.count <= 256 else {
            throw GatewayError(.invalidArgument, "a subscription key must be 32–256 characters")
        }
        let record = try store.createSubscription(
            SubscriptionRecord.New(
                name: name, keyHash: PolicyEngine.hashKey(secret), keyHint: String(secret.suffix(4)), servers: servers, expiresAt: expiresAt))
        return (record, secret)
    }

    /// Replaces a subscription's key; the old key stops working at once. Returns the new key.
    public func rotate(name: String) throws -> String {
        let secret = Self.generate()
        _ = try store.updateSubscription(named: name, key: (PolicyEngine.hashKey(secret), String(secret.suffix(4))))
        return secret
    }
}
