import Foundation

/// Finds the master key: `GATEHOUSE_MASTER_KEY` when set, else the key file (by default `master.key` beside the
/// database). Never falls back: a bad value or a loose key file is an error, a missing key locks credentials.
///
/// - Environment: `GATEHOUSE_MASTER_KEY` holds 32 bytes as base64, base64url or 64 hex characters. An empty value,
///   a well-known default (`changeme`, `secret`, …), a short value or a weak key is refused with ``CredentialError/Code/invalidKey``.
///   `GATEHOUSE_PREVIOUS_MASTER_KEY` and `GATEHOUSE_NEW_MASTER_KEY`, when set (and not empty), are loaded as extra
///   keys that open values only, so a rotation (see ``SecretRotation``) can be recovered in either direction.
/// - Key file: must be a regular file (not a symlink) with mode 0600 or stricter and hold one key in the same
///   format. With `create`, a missing file is created with a random key: written to a temporary file (mode 0600,
///   fsynced), published with `link` (which fails when the key file exists: exclusive creation), directory fsynced.
///   `<keyfile>.next` (an interrupted rotation) is loaded too: as an extra key, or as the current key once the
///   rotation has re-sealed the store (recorded by `<keyfile>.next.done`, holding the new key's id).
public struct MasterKeyLoader: Sendable, CustomStringConvertible {
    /// The variable holding the master key; when set, the key file is not used.
    public static let environmentVariable = "GATEHOUSE_MASTER_KEY"
    /// The variable holding the key before a rotation (opens values only).
    static let previousEnvironmentVariable = "GATEHOUSE_PREVIOUS_MASTER_KEY"
    /// The variable holding the key a rotation moves to (see ``SecretRotation``; opens values only when loading).
    static let newEnvironmentVariable = "GATEHOUSE_NEW_MASTER_KEY"

    /// The key file used when the environment variable is not set.
    public let keyFilePath: String
    private let environmentKey: SecretValue?
    private let previousKey: SecretValue?
    private let newKey: SecretValue?

    /// A loader reading `GATEHOUSE_MASTER_KEY` (and the rotation variables) from `environment`, else `keyFilePath`.
    public init(environment: [String: String], keyFilePath: String) {
        self.keyFilePath = keyFilePath
        environmentKey = environment[Self.environmentVariable].map(SecretValue.init)
        previousKey = environment[Self.previousEnvironmentVariable].map(SecretValue.init)
        newKey = environment[Self.newEnvironmentVariable].map(SecretValue.init)
    }

    /// Whether the key comes from `GATEHOUSE_MASTER_KEY` (set, even to an empty value) rather than the key file.
    var usesEnvironment: Bool { environmentKey != nil }

    /// Where the key comes from, for messages: `GATEHOUSE_MASTER_KEY` or the key file path.
    public var source: String { usesEnvironment ? Self.environmentVariable : keyFilePath }

    /// The file a rotation writes the new key to before it replaces the key file.
    var nextKeyFilePath: String { keyFilePath + ".next" }

    /// The marker a rotation writes once every value is sealed with the `.next` key.
    var resealedMarkerPath: String { keyFilePath + ".next.done" }

    /// `MasterKeyLoader(<source>)`: never a key.
    public var description: String { "MasterKeyLoader(\(source))" }

    /// Loads the key ring. Throws ``CredentialError/Code/locked`` when there is no key (file missing and `create`
    /// false) and ``CredentialError/Code/invalidKey`` when a key is malformed, weak or its file is unsafe.
    func load(create: Bool) throws(CredentialError) -> MasterKeyRing {
        if let environmentKey {
            let current = try Self.parse(environmentKey, origin: Self.environmentVariable)
            var others: [MasterKey] = []
            for (name, value) in [(Self.previousEnvironmentVariable, previousKey), (Self.newEnvironmentVariable, newKey)] {
                guard let value, !value.isEmpty else { continue }
                others.append(try Self.parse(value, origin: name))
            }
            return MasterKeyRing(current: current, others: others)
        }
        let next = try KeyFile.readKey(nextKeyFilePath)
        guard let main = try KeyFile.readKey(keyFilePath) else {
            if next != nil {
                throw CredentialError(
                    .locked,
                    "credentials are locked: \(keyFilePath) is missing but \(nextKeyFilePath) exists (an interrupted key rotation); restore \(keyFilePath) from a backup"
                )
            }
            guard create else {
                throw CredentialError(.locked, "credentials are locked: no master key; set \(Self.environmentVariable) or restore \(keyFilePath)")
            }
            let fresh = MasterKey.random()
            if try KeyFile.createExclusive(keyFilePath, key: fresh) { return MasterKeyRing(current: fresh) }
            // Another process created it first: use theirs.
            guard let theirs = try KeyFile.readKey(keyFilePath) else {
                throw CredentialError(.locked, "credentials are locked: \(keyFilePath) vanished while being created")
            }
            return MasterKeyRing(current: theirs)
        }
        guard let next, next.id != main.id else { return MasterKeyRing(current: main) }
        if KeyFile.readMarker(resealedMarkerPath) == next.id {
            return MasterKeyRing(current: next, others: [main])
        }
        return MasterKeyRing(current: main, others: [next])
    }

    /// The key in the `.next` file of an interrupted rotation, or nil.
    func loadNextKey() throws(CredentialError) -> MasterKey? {
        try KeyFile.readKey(nextKeyFilePath)
    }

    /// The key in `GATEHOUSE_NEW_MASTER_KEY`, or nil when unset or empty.
    func loadNewEnvironmentKey() throws(CredentialError) -> MasterKey? {
        guard let newKey, !newKey.isEmpty else { return nil }
        return try Self.parse(newKey, origin: Self.newEnvironmentVariable)
    }

    /// Well-known placeholder values, refused outright.
    static let knownDefaults: Set<String> = [
        "changeme", "change-me", "change_me", "changeit", "secret", "password", "default", "admin", "test", "example",
        "masterkey", "master-key", "master_key", "gatehouse", "your-secret-key", "your_secret_key", "supersecret", "key",
    ]

    /// Parses a key written as base64, base64url or 64 hex characters. Messages name `origin`, never the value.
    static func parse(_ value: SecretValue, origin: String) throws(CredentialError) -> MasterKey {
        let hint = "generate one with `openssl rand -base64 32`"
        let text = value.unmasked.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty {
            throw CredentialError(.invalidKey, "\(origin) is empty; a master key is 32 random bytes in base64 or hex: \(hint)")
        }
        if knownDefaults.contains(text.lowercased()) {
            throw CredentialError(.invalidKey, "\(origin) holds a well-known default value, not a key; \(hint)")
        }
        if text.count < 43 {
            throw CredentialError(
                .invalidKey,
                "\(origin) is too short (\(text.count) characters): a master key is 32 random bytes, 44 characters of base64 or 64 of hex; \(hint)")
        }
        guard let bytes = decode(text) else {
            throw CredentialError(.invalidKey, "\(origin) is not base64, base64url or hex; \(hint)")
        }
        guard bytes.count == 32 else {
            throw CredentialError(.invalidKey, "\(origin) must encode exactly 32 bytes, not \(bytes.count); \(hint)")
        }
        do {
            return try MasterKey(bytes: bytes)
        } catch {
            throw CredentialError(error.code, "\(origin): \(error.message)")
        }
    }

    /// Hex (exactly 64 characters) first, then base64 or base64url, padded or not.
    static func decode(_ text: String) -> [UInt8]? {
        if text.utf8.count == 64, let bytes = Hex.decode(text) { return bytes }
        return Base64URL.decodeEitherAlphabet(text)
    }
}

/// Key file I/O: read with safety checks, exclusive creation, atomic replacement, directory fsync, rotation lock.
enum KeyFile {
    private static let typeMask: mode_t = 0o170000
    private static let regularType: mode_t = 0o100000
    private static let symlinkType: mode_t = 0o120000

    /// The key in `path`, or nil when there is no file. Refuses symlinks, non-regular files, modes granting any
    /// group or other permission, and content that is not a valid key.
    static func readKey(_ path: String) throws(CredentialError) -> MasterKey? {
        var info = stat()
        if lstat(path, &info) != 0 {
            if errno == ENOENT { return nil }
            throw CredentialError(.invalidKey, "cannot inspect the master key file \(path): \(String(cString: strerror(errno)))")
        }
        if info.st_mode & typeMask == symlinkType {
            throw CredentialError(
                .invalidKey, "the master key file \(path) is a symlink; replace it with the regular file it points to and run `chmod 600 \(path)`")
        }
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ELOOP {
                throw CredentialError(
                    .invalidKey, "the master key file \(path) is a symlink; replace it with the regular file it points to and run `chmod 600 \(path)`"
                )
            }
            throw CredentialError(.invalidKey, "cannot read the master key file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        guard fstat(fd, &info) == 0, info.st_mode & typeMask == regularType else {
            throw CredentialError(.invalidKey, "the master key file \(path) is not a regular file")
        }
        let mode = info.st_mode & 0o777
        if mode & 0o077 != 0 {
            throw CredentialError(
                .invalidKey,
                "the master key file \(path) is accessible by group or others (mode \(String(mode, radix: 8))); run `chmod 600 \(path)` (and consider rotating the key)"
            )
        }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        while bytes.count <= 4096 {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw CredentialError(.invalidKey, "cannot read the master key file \(path): \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            bytes += buffer[0..<n]
        }
        guard bytes.count <= 4096, let text = String(validating: bytes, as: UTF8.self) else {
            throw CredentialError(.invalidKey, "the master key file \(path) does not hold a valid master key; restore it from a backup")
        }
        do {
            return try MasterKeyLoader.parse(SecretValue(text), origin: "the master key file \(path)")
        } catch {
            throw CredentialError(error.code, "\(error.message) (restore the file from a backup)")
        }
    }

    /// Creates `path` holding `key`, only when absent: returns false when the file already exists.
    static func createExclusive(_ path: String, key: MasterKey) throws(CredentialError) -> Bool {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw CredentialError(.locked, "cannot create the directory of the master key file \(path): \(error.localizedDescription)")
            }
        }
        let temporary = path + ".tmp." + UUID().uuidString
        try writeNew(temporary, contents: key.encoded() + "\n")
        defer { unlink(temporary) }
        if link(temporary, path) != 0 {
            if errno == EEXIST { return false }
            throw CredentialError(.locked, "cannot create the master key file \(path): \(String(cString: strerror(errno)))")
        }
        unlink(temporary)
        try syncDirectory(of: path)
        return true
    }

    /// Writes `contents` to `path` atomically (temporary file, fsync, rename, directory fsync), mode 0600.
    static func replace(_ path: String, contents: String) throws(CredentialError) {
        let temporary = path + ".tmp." + UUID().uuidString
        try writeNew(temporary, contents: contents)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw CredentialError(.locked, "cannot write \(path): \(reason)")
        }
        try syncDirectory(of: path)
    }

    /// Renames `from` over `to` and fsyncs the directory.
    static func move(_ from: String, over to: String) throws(CredentialError) {
        guard rename(from, to) == 0 else {
            throw CredentialError(.locked, "cannot rename \(from) to \(to): \(String(cString: strerror(errno)))")
        }
        try syncDirectory(of: to)
    }

    /// Removes `path` if present and fsyncs the directory.
    static func removeFile(_ path: String) throws(CredentialError) {
        if unlink(path) == 0 {
            try syncDirectory(of: path)
        } else if errno != ENOENT {
            throw CredentialError(.locked, "cannot remove \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// The trimmed content of a small marker file, or nil.
    static func readMarker(_ path: String) -> String? {
        (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Creates `path` (O_CREAT|O_EXCL, mode 0600), writes `contents`, fsyncs and closes it.
    private static func writeNew(_ path: String, contents: String) throws(CredentialError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CredentialError(.locked, "cannot create \(path): \(String(cString: strerror(errno)))") }
        var failure: String?
        if fchmod(fd, 0o600) != 0 { failure = String(cString: strerror(errno)) }
        var bytes = Array(contents.utf8)[...]
        while failure == nil, !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                failure = String(cString: strerror(errno))
            } else {
                bytes = bytes.dropFirst(n)
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if let failure {
            unlink(path)
            throw CredentialError(.locked, "cannot write \(path): \(failure)")
        }
    }

    /// Fsyncs the directory holding `path`, so a creation, rename or removal survives a crash.
    static func syncDirectory(of path: String) throws(CredentialError) {
        var directory = (path as NSString).deletingLastPathComponent
        if directory.isEmpty { directory = "." }
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw CredentialError(.locked, "cannot open directory \(directory): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw CredentialError(.locked, "cannot sync directory \(directory): \(String(cString: strerror(errno)))") }
    }

    /// An exclusive advisory lock (`flock`) on `path`, released by ``unlock(_:)`` or when the process dies.
    static func lock(_ path: String) throws(CredentialError) -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CredentialError(.locked, "cannot open the rotation lock \(path): \(String(cString: strerror(errno)))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            throw CredentialError(.invalid, "another master key rotation is running (it holds \(path)); wait for it to finish")
        }
        return fd
    }

    static func unlock(_ fd: Int32) {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
