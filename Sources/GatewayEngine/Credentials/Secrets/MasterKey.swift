import Crypto
import Foundation

/// A 256-bit master key: the AES-256-GCM key that seals every credential secret at rest.
///
/// It never prints, reflects or dumps its bytes (only its ``id``); ``encoded()`` is the one explicit way to read them,
/// for writing the key file.
public struct MasterKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The key's identity: the first 16 hex characters of the SHA-256 of its bytes. Sealed values record it, so the
    /// right key is picked when several are loaded (during a rotation). It reveals nothing about the key.
    public let id: String
    /// The key for swift-crypto.
    let symmetricKey: SymmetricKey

    /// A key from exactly 32 bytes. Refuses trivially weak keys: fewer than 8 distinct byte values (all-equal bytes,
    /// short repeated patterns), a counting sequence (`00 01 02 …`), a pattern repeating every 16 bytes or less, or
    /// bytes that are all printable ASCII (a password, not random bytes).
    init(bytes: [UInt8]) throws(CredentialError) {
        guard bytes.count == 32 else {
            throw CredentialError(.invalidKey, "a master key must be exactly 32 bytes, not \(bytes.count)")
        }
        if let weakness = Self.weakness(of: bytes) {
            throw CredentialError(.invalidKey, "the master key is trivially weak (\(weakness)); generate a random one with `openssl rand -base64 32`")
        }
        self.init(validated: SymmetricKey(data: bytes))
    }

    private init(validated key: SymmetricKey) {
        symmetricKey = key
        let digest = key.withUnsafeBytes { SHA256.hash(data: $0) }
        id = String(Hex.encode(digest).prefix(16))
    }

    /// A fresh key from the system's secure random generator.
    static func random() -> MasterKey {
        while true {
            let key = SymmetricKey(size: .bits256)
            // A random key is weak with a probability below 10⁻¹³; draw again rather than hand one out.
            if key.withUnsafeBytes({ weakness(of: Array($0)) }) == nil { return MasterKey(validated: key) }
        }
    }

    /// The key's bytes in base64 (what the key file and `GATEHOUSE_MASTER_KEY` hold). Handle as a secret.
    func encoded() -> String {
        symmetricKey.withUnsafeBytes { Data($0).base64EncodedString() }
    }

    /// `MasterKey(<id>)`: never the bytes.
    public var description: String { "MasterKey(\(id))" }
    /// The same as ``description``.
    public var debugDescription: String { description }
    /// Only the ``id``, so dumps and debuggers never show the key.
    public var customMirror: Mirror { Mirror(self, children: ["id": id]) }

    /// Why 32 bytes make a weak key, or nil.
    static func weakness(of bytes: [UInt8]) -> String? {
        if Set(bytes).count < 8 { return "fewer than 8 distinct byte values" }
        let step = bytes[1] &- bytes[0]
        if zip(bytes, bytes.dropFirst()).allSatisfy({ $1 &- $0 == step }) { return "a counting sequence" }
        for period in 1...16 where bytes.indices.allSatisfy({ bytes[$0] == bytes[$0 % period] }) {
            return "a pattern repeating every \(period) bytes"
        }
        if bytes.allSatisfy({ (0x20...0x7E).contains($0) }) { return "printable text, not random bytes" }
        return nil
    }
}

/// The master keys loaded at one time: ``current`` seals, every key opens what it sealed. More than one key is
/// loaded only while a rotation is in progress or being recovered.
struct MasterKeyRing: Sendable, CustomStringConvertible {
    /// The key new values are sealed with.
    var current: MasterKey
    /// Keys that only open values (the previous or the next key of a rotation).
    var others: [MasterKey]

    init(current: MasterKey, others: [MasterKey] = []) {
        self.current = current
        self.others = others.filter { $0.id != current.id }
    }

    /// Every key, current first.
    var all: [MasterKey] { [current] + others }

    /// The loaded key with this id, or nil.
    func key(id: String) -> MasterKey? {
        all.first { $0.id == id }
    }

    var description: String { "MasterKeyRing(current: \(current.id), others: \(others.map(\.id)))" }
}
