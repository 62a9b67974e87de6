import Foundation
import Store

/// Replaces the master key and re-seals every secret in the store with the new one, surviving a crash at any point.
///
/// **Key file** (`GATEHOUSE_MASTER_KEY` not set), in three durable steps:
/// 1. a random key is written to `<keyfile>.next` (temporary file, mode 0600, fsynced, renamed, directory fsynced);
/// 2. every sealed value is opened with the ring and sealed with the new key, all in one store transaction; then
///    `<keyfile>.next.done` records that the store step finished (so loaders make the new key current);
/// 3. `<keyfile>.next` is renamed over the key file and the directory fsynced; values sealed meanwhile with the old
///    key (by a process that loaded its ring before the rotation) are re-sealed, and the marker removed.
///
/// After a crash, ``MasterKeyLoader`` loads both the key file and `.next`, and every value names its key id, so every
/// value still opens; ``resumeIfNeeded()`` (or the next ``rotate(checkpoint:)``) finishes the interrupted rotation.
/// Only one rotation runs at a time (`flock` on `<keyfile>.lock`).
///
/// **Environment** (`GATEHOUSE_MASTER_KEY` set): the new key comes from `GATEHOUSE_NEW_MASTER_KEY` and only step 2
/// runs, as one transaction: the store is either entirely under the old key or entirely under the new one. Then the
/// administrator moves the new key into `GATEHOUSE_MASTER_KEY`, removes `GATEHOUSE_NEW_MASTER_KEY` and may keep the
/// old key in `GATEHOUSE_PREVIOUS_MASTER_KEY` until ``resumeIfNeeded()`` (which re-seals any value still under the
/// previous key with the current one) reports nothing left to do. While both variables are set, loaders open values
/// sealed with either key.
///
/// Running gateways keep the ring they loaded: restart them (or reload their ring) after a rotation.
public struct SecretRotation: Sendable {
    /// A durable point of a rotation, reported to the `checkpoint` callback (tests throw there to simulate a crash).
    public enum Step: Sendable, Equatable, CustomStringConvertible {
        /// `<keyfile>.next` holds the new key.
        case newKeyWritten
        /// Every sealed value in the store is under the new key.
        case storeResealed
        /// The key file holds the new key; the rotation is complete.
        case keyFileReplaced

        /// The step, for messages.
        public var description: String {
            switch self {
            case .newKeyWritten: "new key written"
            case .storeResealed: "store re-sealed"
            case .keyFileReplaced: "key file replaced"
            }
        }
    }

    /// The store whose sealed values are re-sealed.
    public let store: GatewayStore
    /// Where the current key comes from.
    public let loader: MasterKeyLoader
    /// The key file the new key replaces.
    public let keyFilePath: String
    private let newEnvironmentKey: SecretValue?

    /// A rotation; with `GATEHOUSE_MASTER_KEY` set, the new key is `GATEHOUSE_NEW_MASTER_KEY` from `environment`.
    public init(store: GatewayStore, loader: MasterKeyLoader, keyFilePath: String, environment: [String: String]) {
        self.store = store
        self.loader = loader
        self.keyFilePath = keyFilePath
        newEnvironmentKey = environment[MasterKeyLoader.newEnvironmentVariable].map(SecretValue.init)
    }

    private var nextPath: String { keyFilePath + ".next" }
    private var markerPath: String { keyFilePath + ".next.done" }
    private var lockPath: String { keyFilePath + ".lock" }

    /// Rotates to a new master key and returns it. In key-file mode, an interrupted rotation found on disk is finished
    /// instead (its `.next` key is the new key). Throws ``CredentialError`` or ``StoreError``; whatever it throws, every
    /// value still opens with the keys on disk.
    public func rotate(checkpoint: (Step) throws -> Void = { _ in }) throws -> MasterKey {
        let lock = try KeyFile.lock(lockPath)
        defer { KeyFile.unlock(lock) }
        if loader.usesEnvironment { return try rotateEnvironment(checkpoint: checkpoint) }
        let ring = try loader.load(create: false)
        if let pending = try KeyFile.readKey(nextPath) {
            try finish(to: pending, ring: ring, checkpoint: checkpoint)
            return pending
        }
        let newKey = MasterKey.random()
        try KeyFile.removeFile(markerPath)
        try KeyFile.replace(nextPath, contents: newKey.encoded() + "\n")
        try checkpoint(.newKeyWritten)
        try finish(to: newKey, ring: ring, checkpoint: checkpoint)
        return newKey
    }

    /// Finishes an interrupted rotation: in key-file mode, re-seals values still under the old key with the `.next`
    /// key and renames it over the key file; in environment mode, re-seals values still under another loaded key
    /// (`GATEHOUSE_PREVIOUS_MASTER_KEY`) with the current one. Returns whether there was anything to do.
    func resumeIfNeeded() throws -> Bool {
        let lock = try KeyFile.lock(lockPath)
        defer { KeyFile.unlock(lock) }
        if loader.usesEnvironment {
            let ring = try loader.load(create: false)
            return try reseal(to: ring) > 0
        }
        guard let pending = try KeyFile.readKey(nextPath) else {
            try KeyFile.removeFile(markerPath)
            return false
        }
        try finish(to: pending, ring: try loader.load(create: false), checkpoint: { _ in })
        return true
    }

    /// Steps 2 and 3 of a key-file rotation to `newKey`, whose `.next` file is already durable.
    private func finish(to newKey: MasterKey, ring: MasterKeyRing, checkpoint: (Step) throws -> Void) throws {
        let target = MasterKeyRing(current: newKey, others: ring.all)
        try reseal(to: target)
        try KeyFile.replace(markerPath, contents: newKey.id + "\n")
        try checkpoint(.storeResealed)
        try KeyFile.move(nextPath, over: keyFilePath)
        try reseal(to: target)
        try KeyFile.removeFile(markerPath)
        try checkpoint(.keyFileReplaced)
    }

    private func rotateEnvironment(checkpoint: (Step) throws -> Void) throws -> MasterKey {
        let ring = try loader.load(create: false)
        guard let newEnvironmentKey, !newEnvironmentKey.isEmpty else {
            throw CredentialError(
                .invalid,
                "\(MasterKeyLoader.environmentVariable) is set, so the new key must come from \(MasterKeyLoader.newEnvironmentVariable); generate one with `openssl rand -base64 32`"
            )
        }
        let newKey = try MasterKeyLoader.parse(newEnvironmentKey, origin: MasterKeyLoader.newEnvironmentVariable)
        guard newKey.id != ring.current.id else {
            throw CredentialError(.invalid, "\(MasterKeyLoader.newEnvironmentVariable) holds the current master key; set it to a new one")
        }
        try reseal(to: MasterKeyRing(current: newKey, others: ring.all))
        try checkpoint(.storeResealed)
        return newKey
    }

    /// Re-seals, in one transaction, every value not sealed with `ring.current`; returns how many. Retries when a row
    /// disappears between the read and the write (deleted concurrently).
    @discardableResult
    private func reseal(to ring: MasterKeyRing) throws -> Int {
        let box = SecretBox(ring: ring)
        var attempt = 0
        while true {
            attempt += 1
            var changed: [SealedField] = []
            for field in try store.sealedFields() where SecretBox.keyID(of: field.value) != ring.current.id {
                let secret = try box.open(field.value, table: field.table, row: field.row, column: field.column)
                let sealed = try box.seal(secret, table: field.table, row: field.row, column: field.column)
                changed.append(SealedField(table: field.table, row: field.row, column: field.column, value: sealed, previous: field.value))
            }
            guard !changed.isEmpty else { return 0 }
            guard let failure = replace(changed) else { return changed.count }
            if failure.code != .notFound || attempt >= 3 { throw failure }
        }
    }

    /// Writes re-sealed values in one transaction; returns the store's error instead of throwing it.
    private func replace(_ fields: [SealedField]) -> StoreError? {
        do {
            try store.replaceSealedFields(fields)
            return nil
        } catch {
            return error
        }
    }
}
