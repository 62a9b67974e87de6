import Crypto
import Foundation

/// Seals and opens credential secrets with the master key ring (AES-256-GCM).
///
/// A sealed value is `gh1:<keyId>:<base64(nonce ‖ ciphertext ‖ tag)>`: a fresh random 96-bit nonce per seal, and
/// additional authenticated data `gatehouse-secret-v1\0<table>\0<row>\0<column>\0<keyId>`, so a value opens only in
/// the row and column it was sealed for, with the key it names. Any failure to authenticate is an error
/// (``CredentialError/Code/unsealFailed``), never garbage; no message contains the secret.
struct SecretBox: Sendable {
    /// The keys: ``MasterKeyRing/current`` seals, any key of the ring opens.
    let ring: MasterKeyRing

    static let prefix = "gh1:"
    static let nonceSize = 12
    static let tagSize = 16

    init(ring: MasterKeyRing) {
        self.ring = ring
    }

    /// Seals `secret` for one column of one row with the current key.
    func seal(_ secret: SecretValue, table: String, row: String, column: String) throws(CredentialError) -> String {
        let key = ring.current
        let aad = try Self.additionalData(table: table, row: row, column: column, keyID: key.id)
        do {
            let box = try AES.GCM.seal(Data(secret.unmasked.utf8), using: key.symmetricKey, nonce: AES.GCM.Nonce(), authenticating: aad)
            guard let combined = box.combined else {
                throw CredentialError(.invalid, "cannot seal the \(column) of \(table) '\(row)': no combined representation")
            }
            return Self.prefix + key.id + ":" + combined.base64EncodedString()
        } catch let error as CredentialError {
            throw error
        } catch {
            throw CredentialError(.invalid, "cannot seal the \(column) of \(table) '\(row)': encryption failed")
        }
    }

    /// Opens a value sealed for this row and column. Throws ``CredentialError/Code/locked`` when the key it names is
    /// not loaded and ``CredentialError/Code/unsealFailed`` when it is malformed, moved or tampered with.
    func open(_ sealed: String, table: String, row: String, column: String) throws(CredentialError) -> SecretValue {
        let place = "the sealed \(column) of \(table) '\(row)'"
        guard let keyID = Self.keyID(of: sealed) else {
            throw CredentialError(.unsealFailed, "cannot open \(place): not a sealed value (expected gh1:<key id>:<data>)")
        }
        guard let key = ring.key(id: keyID) else {
            throw CredentialError(
                .locked,
                "cannot open \(place): it is sealed with master key \(keyID), which is not loaded (loaded: \(ring.all.map(\.id).joined(separator: ", ")))"
            )
        }
        let payload = sealed.dropFirst(Self.prefix.count + keyID.count + 1)
        guard let combined = Data(base64Encoded: String(payload)), combined.count >= Self.nonceSize + Self.tagSize else {
            throw CredentialError(.unsealFailed, "cannot open \(place): the sealed data is malformed")
        }
        let aad = try Self.additionalData(table: table, row: row, column: column, keyID: keyID)
        let plain: Data
        do {
            plain = try AES.GCM.open(AES.GCM.SealedBox(combined: combined), using: key.symmetricKey, authenticating: aad)
        } catch {
            throw CredentialError(.unsealFailed, "cannot open \(place): wrong master key or tampered data")
        }
        guard let text = String(data: plain, encoding: .utf8) else {
            throw CredentialError(.unsealFailed, "cannot open \(place): wrong master key or tampered data")
        }
        return SecretValue(text)
    }

    /// The key id a sealed value names, or nil when it is not a `gh1:` value.
    static func keyID(of sealed: String) -> String? {
        guard sealed.hasPrefix(prefix) else { return nil }
        let rest = sealed.utf8.dropFirst(prefix.utf8.count)
        guard let colon = rest.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let id = rest[rest.startIndex..<colon]
        guard id.count == 16,
            id.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) })
        else { return nil }
        return String(decoding: id, as: UTF8.self)
    }

    /// `gatehouse-secret-v1\0<table>\0<row>\0<column>\0<keyId>`; names containing NUL are refused so the encoding
    /// stays unambiguous.
    static func additionalData(table: String, row: String, column: String, keyID: String) throws(CredentialError) -> Data {
        guard !table.utf8.contains(0), !row.utf8.contains(0), !column.utf8.contains(0) else {
            throw CredentialError(.invalid, "a credential table, row or column name cannot contain NUL")
        }
        return Data("gatehouse-secret-v1\0\(table)\0\(row)\0\(column)\0\(keyID)".utf8)
    }
}
