import Crypto
import Foundation
import GRDB
import Synchronization
import Testing

@testable import GatewayEngine
@testable import Store

/// Rows holding sealed canary secrets, shared by the secret box and rotation tests.
enum SecretFixture {
    /// Where a sealed value lives.
    struct Place: Hashable, CustomStringConvertible {
        var table: String
        var row: String
        var column: String
        var description: String { "\(table).\(column)['\(row)']" }
    }

    static func makeStore(_ dir: TempDir) throws -> GatewayStore {
        try GatewayStore(configuration: .init(path: dir.path + "/g.sqlite"))
    }

    static func canary(_ label: String) -> String { "CANARY-\(UUID().uuidString)-\(label)" }

    /// `count` providers, each with its own connection (access and refresh token) and a pending OAuth state, through
    /// the store's public API. Returns the plaintext of every sealed value.
    @discardableResult
    static func seed(_ store: GatewayStore, box: SecretBox, count: Int, prefix: String = "") throws -> [Place: String] {
        var expected: [Place: String] = [:]
        for i in 0..<count {
            let provider = "\(prefix)p\(i)"
            let connection = "\(prefix)c\(i)"
            let secret = canary("secret\(i)")
            let access = canary("access\(i)")
            let refresh = canary("refresh\(i)")
            let verifier = canary("verifier\(i)")
            try store.createCredentialProvider(
                CredentialProviderRecord.New(
                    name: provider, kind: "bearer", settings: "{}",
                    secret: try box.seal(SecretValue(secret), table: "credentialProvider", row: provider, column: "secret")),
                connection: CredentialConnectionRecord.New(name: connection, providerId: 0, status: "connected"))
            try store.updateCredentialConnection(
                named: connection,
                accessToken: try box.seal(SecretValue(access), table: "credentialConnection", row: connection, column: "accessToken"),
                refreshToken: try box.seal(SecretValue(refresh), table: "credentialConnection", row: connection, column: "refreshToken"))
            let connectionID = try store.credentialConnection(named: connection).id
            let hash = "\(prefix)state\(i)"
            try store.saveOAuthState(
                OAuthStateRecord(
                    stateHash: hash, connectionId: connectionID,
                    verifier: try box.seal(SecretValue(verifier), table: "oauthState", row: hash, column: "verifier"),
                    redirectUri: "http://127.0.0.1/callback", expiresAt: Date().addingTimeInterval(3600)))
            expected[Place(table: "credentialProvider", row: provider, column: "secret")] = secret
            expected[Place(table: "credentialConnection", row: connection, column: "accessToken")] = access
            expected[Place(table: "credentialConnection", row: connection, column: "refreshToken")] = refresh
            expected[Place(table: "oauthState", row: hash, column: "verifier")] = verifier
        }
        return expected
    }

    /// Opens every sealed value in the store with `ring`.
    static func openAll(_ store: GatewayStore, ring: MasterKeyRing) throws -> [Place: String] {
        let box = SecretBox(ring: ring)
        var out: [Place: String] = [:]
        for f in try store.sealedFields() {
            out[Place(table: f.table, row: f.row, column: f.column)] = try box.open(f.value, table: f.table, row: f.row, column: f.column).unmasked
        }
        return out
    }

    /// The error code `body` throws (`other_error` for an error that is not a ``CredentialError``), or nil.
    static func code<T>(_ body: () throws -> T) -> CredentialError.Code? {
        do {
            _ = try body()
            return nil
        } catch let error as CredentialError {
            return error.code
        } catch {
            return CredentialError.Code("other_error")
        }
    }

    /// The ``CredentialError`` `body` throws, or nil.
    static func error<T>(_ body: () throws -> T) -> CredentialError? {
        do {
            _ = try body()
            return nil
        } catch {
            return error as? CredentialError ?? CredentialError(.init("other_error"), "\(error)")
        }
    }

    static func mode(_ path: String) -> mode_t {
        var info = stat()
        stat(path, &info)
        return info.st_mode & 0o777
    }
}

@Suite("Secret box: secrets sealed at rest")
struct SecretBoxTests {
    typealias Place = SecretFixture.Place

    func ring() -> MasterKeyRing { MasterKeyRing(current: .random()) }

    @Test("K1: canary secrets appear nowhere in the database, WAL or SHM files, neither plain nor base64")
    func noPlaintextOnDisk() throws {
        let dir = TempDir()
        let store = try SecretFixture.makeStore(dir)
        let key = MasterKey.random()
        let box = SecretBox(ring: MasterKeyRing(current: key))
        let expected = try SecretFixture.seed(store, box: box, count: 20)
        #expect(try SecretFixture.openAll(store, ring: box.ring) == expected)

        func needles() -> [(String, Data)] {
            var out: [(String, Data)] = []
            for canary in expected.values {
                out.append((canary, Data(canary.utf8)))
                out.append((canary, Data(canary.dropFirst(7).prefix(36).utf8))) // the UUID alone
                for shift in 0..<3 { // base64 of the canary at each alignment, without the padded tail
                    let b64 = Data(canary.dropFirst(shift).utf8).base64EncodedString()
                    out.append((canary, Data(b64.dropLast(4).utf8)))
                }
            }
            out.append(("the master key", Data(key.encoded().utf8)))
            return out
        }
        let all = needles()
        func scan(_ stage: String) throws {
            var scanned = 0
            for suffix in ["", "-wal", "-shm"] {
                let path = dir.path + "/g.sqlite" + suffix
                guard let bytes = FileManager.default.contents(atPath: path) else { continue }
                scanned += bytes.count
                for (what, needle) in all where bytes.range(of: needle) != nil {
                    Issue.record("\(stage): \(what) found in \(path)")
                }
            }
            #expect(scanned > 0)
        }
        #expect(FileManager.default.fileExists(atPath: dir.path + "/g.sqlite-wal"))
        try scan("before checkpoint")
        try store.dbPool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        try scan("after checkpoint")
        #expect(try SecretFixture.openAll(store, ring: box.ring) == expected)
    }

    @Test("K2: 100 000 seals of one secret use 100 000 distinct nonces and ciphertexts")
    func nonceUniqueness() throws {
        let box = SecretBox(ring: ring())
        let secret = SecretValue("the same secret every time")
        let chunks = 8
        let perChunk = 12_500
        let results = Mutex<[[String]]>([])
        DispatchQueue.concurrentPerform(iterations: chunks) { _ in
            var local: [String] = []
            local.reserveCapacity(perChunk)
            for _ in 0..<perChunk {
                local.append(try! box.seal(secret, table: "credentialConnection", row: "c", column: "accessToken"))
            }
            results.withLock { $0.append(local) }
        }
        let sealed = results.withLock { $0 }.flatMap { $0 }
        #expect(sealed.count == 100_000)
        let prefix = "gh1:\(box.ring.current.id):"
        var nonces = Set<Data>(minimumCapacity: sealed.count)
        var bodies = Set<Data>(minimumCapacity: sealed.count)
        for s in sealed {
            #expect(s.hasPrefix(prefix))
            let data = Data(base64Encoded: String(s.dropFirst(prefix.count)))!
            nonces.insert(data.prefix(12))
            bodies.insert(data.dropFirst(12))
        }
        #expect(nonces.count == 100_000)
        #expect(bodies.count == 100_000)
        #expect(Set(sealed).count == 100_000)
        #expect(try box.open(sealed[0], table: "credentialConnection", row: "c", column: "accessToken") == secret)
        #expect(try box.open(sealed[99_999], table: "credentialConnection", row: "c", column: "accessToken") == secret)
    }

    @Test("K3: a value moved to another row, column or table, or relabelled with another key id, does not open")
    func swappedValues() throws {
        let dir = TempDir()
        let store = try SecretFixture.makeStore(dir)
        let other = MasterKey.random()
        let box = SecretBox(ring: MasterKeyRing(current: .random(), others: [other]))
        _ = try SecretFixture.seed(store, box: box, count: 2)
        let a = try store.credentialConnection(named: "c0")
        let b = try store.credentialConnection(named: "c1")
        let aAccess = try #require(a.accessToken)
        let bAccess = try #require(b.accessToken)
        let aRefresh = try #require(a.refreshToken)

        // In memory: the right value in the wrong place.
        #expect(SecretFixture.code { try box.open(aAccess, table: "credentialConnection", row: "c1", column: "accessToken") } == .unsealFailed)
        #expect(SecretFixture.code { try box.open(aAccess, table: "credentialConnection", row: "c0", column: "refreshToken") } == .unsealFailed)
        #expect(SecretFixture.code { try box.open(aAccess, table: "credentialProvider", row: "c0", column: "accessToken") } == .unsealFailed)
        let providerSecret = try #require(try store.credentialProvider(named: "p0").secret)
        #expect(SecretFixture.code { try box.open(providerSecret, table: "credentialProvider", row: "p1", column: "secret") } == .unsealFailed)
        let relabelled = aAccess.replacingOccurrences(of: box.ring.current.id, with: other.id)
        #expect(SecretFixture.code { try box.open(relabelled, table: "credentialConnection", row: "c0", column: "accessToken") } == .unsealFailed)

        // In the database: swap between rows and between columns, then read back.
        try store.updateCredentialConnection(named: "c0", accessToken: bAccess, refreshToken: aAccess)
        try store.updateCredentialConnection(named: "c1", accessToken: aRefresh)
        for f in try store.sealedFields() where f.table == "credentialConnection" && !(f.row == "c1" && f.column == "refreshToken") {
            #expect(
                SecretFixture.code { try box.open(f.value, table: f.table, row: f.row, column: f.column) } == .unsealFailed, "\(f.row).\(f.column)")
        }
    }

    @Test("K4: flipping any bit of the nonce, ciphertext or tag is an authentication failure, never garbage")
    func bitFlips() throws {
        let box = SecretBox(ring: ring())
        let sealed = try box.seal(SecretValue("s3cret-token"), table: "credentialProvider", row: "p", column: "secret")
        let prefix = "gh1:\(box.ring.current.id):"
        let data = try #require(Data(base64Encoded: String(sealed.dropFirst(prefix.count))))
        #expect(data.count == 12 + 12 + 16)
        var outcomes: [CredentialError.Code?] = []
        for index in data.indices {
            for bit in 0..<8 {
                var tampered = data
                tampered[index] ^= UInt8(1) << bit
                let text = prefix + tampered.base64EncodedString()
                outcomes.append(SecretFixture.code { try box.open(text, table: "credentialProvider", row: "p", column: "secret") })
            }
        }
        #expect(outcomes.count == data.count * 8)
        #expect(outcomes.allSatisfy { $0 == .unsealFailed })
        for broken in [
            prefix, prefix + "!!!", prefix + data.prefix(27).base64EncodedString(), prefix + data.dropLast().base64EncodedString(),
            "gh2" + sealed.dropFirst(3), "plain text", "",
        ] {
            #expect(
                SecretFixture.code { try box.open(broken, table: "credentialProvider", row: "p", column: "secret") } == .unsealFailed, "\(broken)")
        }
        #expect(try box.open(sealed, table: "credentialProvider", row: "p", column: "secret").unmasked == "s3cret-token")
    }

    @Test("K5: another key does not open; no key file locks; a loose, symlinked or garbled key file is refused")
    func wrongAndMissingKeys() throws {
        let dir = TempDir()
        let box = SecretBox(ring: ring())
        let sealed = try box.seal(SecretValue("token"), table: "credentialConnection", row: "c", column: "accessToken")
        let stranger = SecretBox(ring: ring())
        let unknown = try #require(SecretFixture.error { try stranger.open(sealed, table: "credentialConnection", row: "c", column: "accessToken") })
        #expect(unknown.code == .locked)
        #expect(unknown.message.contains(box.ring.current.id))

        let keyFile = dir.path + "/keys/master.key"
        let loader = MasterKeyLoader(environment: [:], keyFilePath: keyFile)
        #expect(loader.source == keyFile)
        let missing = try #require(SecretFixture.error { try loader.load(create: false) })
        #expect(missing.code == .locked)
        #expect(missing.message == "credentials are locked: no master key; set GATEHOUSE_MASTER_KEY or restore \(keyFile)")
        #expect(!FileManager.default.fileExists(atPath: keyFile))

        let created = try loader.load(create: true)
        #expect(SecretFixture.mode(keyFile) == 0o600)
        #expect(try loader.load(create: false).current.id == created.current.id)
        #expect(try loader.load(create: true).current.id == created.current.id)
        #expect(try MasterKeyLoader(environment: [:], keyFilePath: keyFile).load(create: false).others.isEmpty)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/keys")
        #expect(leftovers == ["master.key"])

        // A value sealed with the file's key opens only with it.
        let fileBox = SecretBox(ring: created)
        let fileSealed = try fileBox.seal(SecretValue("token"), table: "oauthState", row: "h", column: "verifier")
        #expect(SecretFixture.code { try box.open(fileSealed, table: "oauthState", row: "h", column: "verifier") } == .locked)

        for mode: mode_t in [0o644, 0o640, 0o604, 0o660, 0o601] {
            chmod(keyFile, mode)
            let loose = try #require(SecretFixture.error { try loader.load(create: true) })
            #expect(loose.code == .invalidKey)
            #expect(loose.message.contains("chmod 600 \(keyFile)"), "\(loose.message)")
        }
        chmod(keyFile, 0o400)
        #expect(try loader.load(create: false).current.id == created.current.id)
        chmod(keyFile, 0o600)

        // A symlink, even to a safe file, and a dangling one.
        let real = dir.path + "/keys/real.key"
        try FileManager.default.moveItem(atPath: keyFile, toPath: real)
        symlink(real, keyFile)
        let linked = try #require(SecretFixture.error { try loader.load(create: true) })
        #expect(linked.code == .invalidKey)
        #expect(linked.message.contains("symlink") && linked.message.contains(keyFile))
        unlink(real)
        #expect(SecretFixture.code { try loader.load(create: true) } == .invalidKey)
        unlink(keyFile)

        // Content that is not a key, and a directory in its place.
        for content in ["", "not a key at all", "changeme\n", String(repeating: "A", count: 44), Data(count: 32).base64EncodedString()] {
            unlink(keyFile)
            let fd = open(keyFile, O_CREAT | O_WRONLY, 0o600)
            _ = content.withCString { write(fd, $0, strlen($0)) }
            close(fd)
            let bad = try #require(SecretFixture.error { try loader.load(create: true) })
            #expect(bad.code == .invalidKey, "\(content)")
            #expect(bad.message.contains(keyFile))
        }
        unlink(keyFile)
        try FileManager.default.createDirectory(atPath: keyFile, withIntermediateDirectories: false)
        #expect(SecretFixture.code { try loader.load(create: true) } == .invalidKey)
        try FileManager.default.removeItem(atPath: keyFile)

        // A loose `.next` file (an interrupted rotation) is refused too.
        _ = try loader.load(create: true)
        try MasterKey.random().encoded().write(toFile: keyFile + ".next", atomically: false, encoding: .utf8)
        chmod(keyFile + ".next", 0o644)
        #expect(SecretFixture.code { try loader.load(create: false) } == .invalidKey)
        chmod(keyFile + ".next", 0o600)
        #expect(try loader.load(create: false).others.count == 1)
    }

    @Test("K7: empty, default, short and weak environment keys are refused; base64, base64url and hex load")
    func environmentKeys() throws {
        let dir = TempDir()
        let keyFile = dir.path + "/master.key"
        func load(_ value: String, previous: String? = nil) throws(CredentialError) -> MasterKeyRing {
            var env = [MasterKeyLoader.environmentVariable: value]
            env[MasterKeyLoader.previousEnvironmentVariable] = previous
            return try MasterKeyLoader(environment: env, keyFilePath: keyFile).load(create: true)
        }
        let random31 = Data((0..<31).map { _ in UInt8.random(in: 0...255) })
        let counting = Data((0..<32).map { UInt8($0) })
        let refused = [
            "", "   ", "changeme", "CHANGEME", "secret", "password", "default", "short",
            random31.base64EncodedString(), Data(count: 32).base64EncodedString(), String(repeating: "0", count: 64),
            Data(repeating: 0x41, count: 32).base64EncodedString(), counting.base64EncodedString(),
            Data("correct horse battery staple 123".utf8).base64EncodedString(),
            (Data(count: 16) + Data(repeating: 1, count: 16)).base64EncodedString(),
            MasterKey.random().encoded() + "AAAA",
        ]
        for value in refused {
            let error = try #require(SecretFixture.error { try load(value) }, "\(value)")
            #expect(error.code == .invalidKey, "\(value)")
            #expect(error.message.contains("GATEHOUSE_MASTER_KEY"))
            if value.count > 8 { #expect(!error.message.contains(value)) }
        }
        #expect(!FileManager.default.fileExists(atPath: keyFile), "an invalid environment key never falls back to a key file")

        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255) }
        let reference = try MasterKey(bytes: bytes)
        let base64 = Data(bytes).base64EncodedString()
        let base64URL = base64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(
            of: "=", with: "")
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        for value in [base64, base64URL, hex, hex.uppercased(), " \(base64)\n"] {
            let ring = try load(value)
            #expect(ring.current.id == reference.id, "\(value)")
            #expect(ring.others.isEmpty)
        }
        #expect(reference.id.count == 16)
        #expect(reference.id == SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined().prefix(16).description)
        #expect(MasterKeyLoader(environment: [MasterKeyLoader.environmentVariable: base64], keyFilePath: keyFile).source == "GATEHOUSE_MASTER_KEY")

        let previous = MasterKey.random()
        let ring = try load(base64, previous: previous.encoded())
        #expect(ring.others.map(\.id) == [previous.id])
        #expect(SecretFixture.code { try load(base64, previous: "changeme") } == .invalidKey)
        #expect(try load(base64, previous: "").others.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: keyFile))

        #expect(SecretFixture.code { try MasterKey(bytes: Array(repeating: 7, count: 32)) } == .invalidKey)
        #expect(SecretFixture.code { try MasterKey(bytes: Array(bytes.prefix(31))) } == .invalidKey)
        #expect(try MasterKey(bytes: Array(Data(base64Encoded: MasterKey.random().encoded())!)).id.count == 16)
    }

    @Test("K8: secrets and keys never appear in descriptions, reflection, dumps or error messages")
    func nothingPrintsSecrets() throws {
        let canary = SecretFixture.canary("k8")
        let secret = SecretValue(canary)
        struct Holder {
            var name = "x"
            var token: SecretValue
        }
        var dumped = ""
        dump(secret, to: &dumped)
        dump(Holder(token: secret), to: &dumped)
        dump([secret], to: &dumped)
        dump(Optional(secret), to: &dumped)
        let renderings = [
            "\(secret)", String(describing: secret), String(reflecting: secret), "\(Holder(token: secret))",
            String(reflecting: Holder(token: secret)), "\([secret])", dumped,
        ]
        for text in renderings {
            #expect(!text.contains(canary) && !text.contains(canary.dropFirst(7).prefix(36)), "\(text)")
        }
        #expect(secret.unmasked == canary)

        let key = MasterKey.random()
        let box = SecretBox(ring: MasterKeyRing(current: key))
        let loader = MasterKeyLoader(environment: [MasterKeyLoader.environmentVariable: key.encoded()], keyFilePath: "/nonexistent")
        var keyDump = ""
        dump(key, to: &keyDump)
        dump(box, to: &keyDump)
        dump(loader, to: &keyDump)
        for text in ["\(key)", String(reflecting: key), "\(box.ring)", String(reflecting: box), String(reflecting: loader), keyDump] {
            #expect(!text.contains(key.encoded()), "\(text)")
        }

        // Error messages on every failure path name the place, never the value.
        let sealed = try box.seal(secret, table: "credentialConnection", row: "c", column: "accessToken")
        var errors: [CredentialError] = []
        errors.append(try #require(SecretFixture.error { try box.open(sealed, table: "credentialConnection", row: "d", column: "accessToken") }))
        errors.append(
            try #require(
                SecretFixture.error {
                    try SecretBox(ring: MasterKeyRing(current: .random())).open(
                        sealed, table: "credentialConnection", row: "c", column: "accessToken")
                }))
        errors.append(
            try #require(
                SecretFixture.error { try box.open(String(sealed.dropLast(2)), table: "credentialConnection", row: "c", column: "accessToken") }))
        #expect(errors[0].message == "cannot open the sealed accessToken of credentialConnection 'd': wrong master key or tampered data")
        for error in errors {
            var text = ""
            dump(error, to: &text)
            for rendering in [error.message, "\(error)", String(reflecting: error), text] {
                #expect(!rendering.contains(canary) && !rendering.contains(key.encoded()), "\(rendering)")
            }
        }
    }
}
