import Foundation
import GRDB
import Testing

@testable import GatewayEngine
@testable import Store

@Suite("Secret rotation: master key rotation survives crashes")
struct SecretRotationTests {
    typealias Place = SecretFixture.Place

    struct SimulatedCrash: Error {}

    /// A database with sealed values under a key file created the first time.
    struct Setup {
        let dir = TempDir()
        let store: GatewayStore
        let keyFile: String
        let oldKey: MasterKey
        let expected: [Place: String]

        init(rows: Int = 5) throws {
            store = try SecretFixture.makeStore(dir)
            keyFile = dir.path + "/master.key"
            let ring = try MasterKeyLoader(environment: [:], keyFilePath: keyFile).load(create: true)
            oldKey = ring.current
            expected = try SecretFixture.seed(store, box: SecretBox(ring: ring), count: rows)
        }

        var loader: MasterKeyLoader { MasterKeyLoader(environment: [:], keyFilePath: keyFile) }
        var rotation: SecretRotation { SecretRotation(store: store, loader: loader, keyFilePath: keyFile, environment: [:]) }

        /// The ring as a freshly started process would load it from disk.
        func ringFromDisk() throws -> MasterKeyRing { try loader.load(create: false) }

        /// Every value opens with the keys on disk and equals what was sealed.
        func expectAllReadable(_ stage: String, extra: [Place: String] = [:]) throws {
            let opened = try SecretFixture.openAll(store, ring: try ringFromDisk())
            #expect(opened == expected.merging(extra) { $1 }, "\(stage)")
        }

        /// Key ids the sealed values name.
        func keyIDs() throws -> Set<String?> { Set(try store.sealedFields().map { SecretBox.keyID(of: $0.value) }) }

        func files() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("master.key") }.sorted()
        }
    }

    @Test("K6: a rotation re-seals every value with the new key, which replaces the key file; the old key is no longer needed")
    func completeRotation() throws {
        let setup = try Setup()
        try setup.expectAllReadable("before")
        var steps: [SecretRotation.Step] = []
        let newKey = try setup.rotation.rotate { steps.append($0) }
        #expect(steps == [.newKeyWritten, .storeResealed, .keyFileReplaced])
        #expect(newKey.id != setup.oldKey.id)
        let ring = try setup.ringFromDisk()
        #expect(ring.current.id == newKey.id)
        #expect(ring.others.isEmpty, "the old key is gone from disk")
        #expect(try setup.keyIDs() == [newKey.id])
        try setup.expectAllReadable("after")
        #expect(try setup.files() == ["master.key", "master.key.lock"])
        #expect(SecretFixture.mode(setup.keyFile) == 0o600)
        #expect(try setup.rotation.resumeIfNeeded() == false)
        // The old key opens nothing any more.
        let field = try #require(try setup.store.sealedFields().first)
        #expect(
            SecretFixture.code {
                try SecretBox(ring: MasterKeyRing(current: setup.oldKey)).open(field.value, table: field.table, row: field.row, column: field.column)
            } == .locked)

        // A second rotation works the same way.
        let third = try setup.rotation.rotate()
        #expect(try setup.ringFromDisk().current.id == third.id)
        try setup.expectAllReadable("after a second rotation")
    }

    @Test(
        "K6: a crash at each step leaves every value readable with the keys on disk; resumeIfNeeded finishes",
        arguments: [
            SecretRotation.Step.newKeyWritten, .storeResealed, .keyFileReplaced,
        ])
    func crashAtEachStep(_ crashAt: SecretRotation.Step) throws {
        let setup = try Setup()
        var newKey: MasterKey?
        #expect(throws: SimulatedCrash.self) {
            _ = try setup.rotation.rotate { step in
                if step == crashAt { throw SimulatedCrash() }
            }
        }
        try setup.expectAllReadable("after a crash at \(crashAt)")
        let ring = try setup.ringFromDisk()
        switch crashAt {
        case .newKeyWritten:
            #expect(ring.current.id == setup.oldKey.id)
            #expect(ring.others.count == 1)
            newKey = ring.others.first
            #expect(try setup.keyIDs() == [setup.oldKey.id])
        case .storeResealed:
            #expect(ring.others.map(\.id) == [setup.oldKey.id], "the store step finished: the new key is current")
            newKey = ring.current
            #expect(try setup.keyIDs() == [ring.current.id])
        case .keyFileReplaced:
            #expect(ring.others.isEmpty)
            newKey = ring.current
            #expect(ring.current.id != setup.oldKey.id)
        }
        let target = try #require(newKey)

        // A process started after the crash seals new values with its current key; the rotation must carry them too.
        let lateName = "late-\(crashAt)"
        let late = SecretFixture.canary("late")
        try setup.store.createCredentialProvider(
            CredentialProviderRecord.New(
                name: lateName, kind: "bearer", settings: "{}",
                secret: try SecretBox(ring: ring).seal(SecretValue(late), table: "credentialProvider", row: lateName, column: "secret")),
            connection: nil)
        let extra = [Place(table: "credentialProvider", row: lateName, column: "secret"): late]
        try setup.expectAllReadable("with a value written after the crash", extra: extra)

        #expect(try setup.rotation.resumeIfNeeded() == (crashAt != .keyFileReplaced))
        let final = try setup.ringFromDisk()
        #expect(final.current.id == target.id)
        #expect(final.others.isEmpty)
        #expect(try setup.keyIDs() == [target.id])
        try setup.expectAllReadable("after resumeIfNeeded", extra: extra)
        #expect(try setup.files() == ["master.key", "master.key.lock"])
        #expect(try setup.rotation.resumeIfNeeded() == false)
    }

    @Test("K6: rotate after a crash finishes the interrupted rotation with its key")
    func rotateFinishesPending() throws {
        let setup = try Setup()
        #expect(throws: SimulatedCrash.self) {
            _ = try setup.rotation.rotate { if $0 == .newKeyWritten { throw SimulatedCrash() } }
        }
        let pending = try #require(try setup.ringFromDisk().others.first)
        var steps: [SecretRotation.Step] = []
        let key = try setup.rotation.rotate { steps.append($0) }
        #expect(key.id == pending.id)
        #expect(steps == [.storeResealed, .keyFileReplaced])
        #expect(try setup.ringFromDisk().current.id == pending.id)
        try setup.expectAllReadable("after")
    }

    @Test("K6: a value sealed with a key nobody has stops the rotation before the key file changes")
    func unreadableValueStopsRotation() throws {
        let setup = try Setup()
        let foreign = SecretBox(ring: MasterKeyRing(current: .random()))
        try setup.store.createCredentialProvider(
            CredentialProviderRecord.New(
                name: "foreign", kind: "bearer", settings: "{}",
                secret: try foreign.seal(SecretValue("x"), table: "credentialProvider", row: "foreign", column: "secret")),
            connection: nil)
        let error = try #require(throws: CredentialError.self) { try setup.rotation.rotate() }
        #expect(error.code == .locked)
        #expect(error.message.contains("'foreign'"))
        let ring = try setup.ringFromDisk()
        #expect(ring.current.id == setup.oldKey.id, "the key file still holds the old key")
        try setup.store.deleteCredentialProvider(named: "foreign")
        try setup.expectAllReadable("after the refusal")
        #expect(try setup.rotation.resumeIfNeeded())
        try setup.expectAllReadable("after resuming")
    }

    @Test("K6: environment mode re-seals with GATEHOUSE_NEW_MASTER_KEY in one transaction; the old key can then go")
    func environmentRotation() throws {
        let dir = TempDir()
        let store = try SecretFixture.makeStore(dir)
        let keyFile = dir.path + "/master.key"
        let old = MasterKey.random()
        let new = MasterKey.random()
        let expected = try SecretFixture.seed(store, box: SecretBox(ring: MasterKeyRing(current: old)), count: 4)
        func ring(_ env: [String: String]) throws -> MasterKeyRing { try MasterKeyLoader(environment: env, keyFilePath: keyFile).load(create: false) }
        func rotation(_ env: [String: String]) -> SecretRotation {
            SecretRotation(store: store, loader: MasterKeyLoader(environment: env, keyFilePath: keyFile), keyFilePath: keyFile, environment: env)
        }
        let master = MasterKeyLoader.environmentVariable
        let next = MasterKeyLoader.newEnvironmentVariable
        let previous = MasterKeyLoader.previousEnvironmentVariable

        let missing = try #require(throws: CredentialError.self) { try rotation([master: old.encoded()]).rotate() }
        #expect(missing.message.contains(next))
        #expect(SecretFixture.code { try ring([master: old.encoded(), next: "changeme"]) } == .invalidKey)

        let during = [master: old.encoded(), next: new.encoded()]
        var steps: [SecretRotation.Step] = []
        #expect(try rotation(during).rotate { steps.append($0) }.id == new.id)
        #expect(steps == [.storeResealed])
        #expect(Set(try store.sealedFields().map { SecretBox.keyID(of: $0.value) }) == [new.id])
        #expect(!FileManager.default.fileExists(atPath: keyFile))
        // Readable with the variables as they were, while the admin moves them, and with the new key alone.
        #expect(try SecretFixture.openAll(store, ring: try ring(during)) == expected)
        let moved = [master: new.encoded(), previous: old.encoded()]
        #expect(try SecretFixture.openAll(store, ring: try ring(moved)) == expected)

        // A gateway still on the old key sealed one more value; resumeIfNeeded moves it to the current key.
        let late = try SecretBox(ring: MasterKeyRing(current: old)).seal(
            SecretValue("late"), table: "credentialConnection", row: "c0", column: "accessToken")
        try store.updateCredentialConnection(named: "c0", accessToken: late)
        var now = expected
        now[Place(table: "credentialConnection", row: "c0", column: "accessToken")] = "late"
        #expect(try rotation(moved).resumeIfNeeded())
        #expect(try rotation(moved).resumeIfNeeded() == false)
        #expect(try SecretFixture.openAll(store, ring: try ring([master: new.encoded()])) == now)

        let same = try #require(throws: CredentialError.self) { try rotation([master: new.encoded(), next: new.encoded()]).rotate() }
        #expect(same.code == .invalid)
    }

    // MARK: A real process killed mid-rotation

    static let buildDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/debug")
    static let cli = buildDirectory.appendingPathComponent("gatehouse").path
    static let testBundle = buildDirectory.appendingPathComponent("GatehousePackageTests.xctest").path
    /// Set in the environment of a test-bundle child: the database it rotates.
    static let childVariable = "SECRET_ROTATION_CHILD_DB"

    /// The environment for a child: ours without any GATEHOUSE_* variable (so it uses the key file), plus `extra`.
    static func childEnvironment(_ extra: [String: String]) -> [String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GATEHOUSE_") && $0.key != childVariable }.merging(extra) { $1 }
            .map { "\($0.key)=\($0.value)" }
    }

    /// Spawns `executable` with posix_spawn (Foundation's Process can hang on Linux); stdout to `output`.
    static func spawn(_ executable: String, _ arguments: [String], environment: [String: String] = [:], output: String = "/dev/null") -> pid_t? {
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp = childEnvironment(environment).map { strdup($0) } + [nil]
        defer { envp.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        return posix_spawn(&pid, executable, &actions, nil, argv, envp) == 0 ? pid : nil
    }

    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status
    }

    /// Whether the built CLI has `gatehouse credential rotate-key` (its help names the command; an unknown command
    /// falls through to the default command's help).
    static func hasRotateKeyCommand() -> Bool {
        let dir = TempDir()
        let output = dir.path + "/help.txt"
        guard FileManager.default.isExecutableFile(atPath: cli), let pid = spawn(cli, ["credential", "rotate-key", "--help"], output: output),
            wait(pid) == 0, let help = try? String(contentsOfFile: output, encoding: .utf8)
        else { return false }
        return help.contains("rotate-key")
    }

    /// How to start a rotation in another process: `gatehouse credential rotate-key --db PATH` when the CLI has it,
    /// else this test bundle running ``rotationChild()`` (which calls ``SecretRotation/rotate(checkpoint:)``).
    static func rotationProcess(db: String) -> (executable: String, arguments: [String], environment: [String: String])? {
        if hasRotateKeyCommand() { return (cli, ["credential", "rotate-key", "--db", db], [:]) }
        guard FileManager.default.isExecutableFile(atPath: testBundle) else { return nil }
        return (testBundle, ["--testing-library", "swift-testing", "--filter", "SecretRotationTests/rotationChild"], [childVariable: db])
    }

    @Test(
        "child process of the SIGKILL test: rotates the key of $SECRET_ROTATION_CHILD_DB",
        .enabled(if: ProcessInfo.processInfo.environment[childVariable] != nil, "runs only as the child of killedRotation"))
    func rotationChild() throws {
        let db = try #require(ProcessInfo.processInfo.environment[Self.childVariable])
        let keyFile = URL(fileURLWithPath: db).deletingLastPathComponent().appendingPathComponent("master.key").path
        let store = try GatewayStore(configuration: .init(path: db))
        _ = try SecretRotation(store: store, loader: MasterKeyLoader(environment: [:], keyFilePath: keyFile), keyFilePath: keyFile, environment: [:])
            .rotate()
    }

    @Test("K6: a rotating process SIGKILLed mid-way leaves every value readable and the database intact")
    func killedRotation() throws {
        let dir = TempDir()
        let db = dir.path + "/g.sqlite"
        let child = try #require(Self.rotationProcess(db: db), "build the gatehouse product or the test bundle first")
        let keyFile = dir.path + "/master.key"
        let loader = MasterKeyLoader(environment: [:], keyFilePath: keyFile)
        var expected: [Place: String] = [:]
        do {
            let store = try GatewayStore(configuration: .init(path: db))
            let box = SecretBox(ring: try loader.load(create: true))
            // Many rows in one transaction, so a rotation takes long enough to be killed inside it.
            var rows: [(CredentialProviderRecord.New, String, String, String)] = []
            for i in 0..<1000 {
                let (p, c) = ("p\(i)", "c\(i)")
                let values = (SecretFixture.canary("s\(i)"), SecretFixture.canary("a\(i)"), SecretFixture.canary("r\(i)"))
                rows.append(
                    (
                        CredentialProviderRecord.New(
                            name: p, kind: "bearer", settings: "{}",
                            secret: try box.seal(SecretValue(values.0), table: "credentialProvider", row: p, column: "secret")),
                        c, try box.seal(SecretValue(values.1), table: "credentialConnection", row: c, column: "accessToken"),
                        try box.seal(SecretValue(values.2), table: "credentialConnection", row: c, column: "refreshToken")
                    ))
                expected[Place(table: "credentialProvider", row: p, column: "secret")] = values.0
                expected[Place(table: "credentialConnection", row: c, column: "accessToken")] = values.1
                expected[Place(table: "credentialConnection", row: c, column: "refreshToken")] = values.2
            }
            let prepared = rows
            try store.dbPool.write { db in
                for (provider, connection, access, refresh) in prepared {
                    let p = try provider.insertStored(db)
                    _ = try CredentialConnectionRecord.New(
                        name: connection, providerId: p.id, status: "connected", accessToken: access, refreshToken: refresh
                    )
                    .insertStored(db)
                }
            }
        }

        func verify(_ stage: String) throws -> MasterKeyRing {
            let store = try GatewayStore(configuration: .init(path: db))
            #expect(try store.integrityCheck() == "ok", "\(stage)")
            let ring = try loader.load(create: false)
            #expect(try SecretFixture.openAll(store, ring: ring) == expected, "\(stage)")
            return ring
        }

        // One uninterrupted run measures how long a rotation takes.
        let clock = ContinuousClock()
        let started = clock.now
        let first = try #require(Self.spawn(child.executable, child.arguments, environment: child.environment))
        let status = Self.wait(first)
        let duration = clock.now - started
        #expect(status == 0, "an uninterrupted rotation succeeds")
        let firstRing = try verify("after an uninterrupted rotation")
        var keys: Set<String> = [firstRing.current.id]

        // Kill points: after a delay spread over the measured time, once `.next` exists (re-sealing under way), and
        // as soon as the store step is recorded (`.next.done`: between the store step and the key file rename).
        enum KillPoint {
            case after(Duration)
            case duringReseal(Double)
            case afterStoreStep
        }
        let points: [KillPoint] = [
            .after(.zero), .duringReseal(0), .afterStoreStep, .after(duration / 4), .duringReseal(0.3), .afterStoreStep,
            .after(duration / 2), .duringReseal(0.6), .afterStoreStep, .after(duration), .duringReseal(0.9), .afterStoreStep,
        ]
        var phases: [String: Int] = [:]
        for (round, point) in points.enumerated() {
            let pid = try #require(Self.spawn(child.executable, child.arguments, environment: child.environment))
            let spawned = clock.now
            var exited = false
            var status: Int32 = 0
            /// Spins until `condition` holds or the child exits on its own.
            func spin(until condition: () -> Bool) {
                while !condition() {
                    if waitpid(pid, &status, WNOHANG) == pid {
                        exited = true
                        return
                    }
                    if clock.now - spawned > .seconds(60) { return }
                }
            }
            switch point {
            case .after(let delay):
                spin { clock.now - spawned >= delay }
            case .duringReseal(let fraction):
                spin { FileManager.default.fileExists(atPath: keyFile + ".next") }
                let reached = clock.now
                spin { clock.now - reached >= duration * fraction * 0.7 }
            case .afterStoreStep:
                spin { FileManager.default.fileExists(atPath: keyFile + ".next.done") }
            }
            if !exited {
                kill(pid, SIGKILL)
                status = Self.wait(pid)
            }
            let killed = status & 0x7f == SIGKILL
            let phase =
                !killed
                ? "finished"
                : FileManager.default.fileExists(atPath: keyFile + ".next.done")
                    ? "store re-sealed"
                    : FileManager.default.fileExists(atPath: keyFile + ".next") ? "re-sealing" : "before the new key"
            phases[phase, default: 0] += 1
            let ring = try verify("after round \(round) (\(point)), killed \(phase)")
            keys.formUnion(ring.all.map(\.id))
        }
        #expect(phases["re-sealing", default: 0] > 0, "\(phases)")
        #expect(phases["store re-sealed", default: 0] > 0, "\(phases)")

        // Whatever state the last kill left, resuming finishes with one key and every value under it.
        let store = try GatewayStore(configuration: .init(path: db))
        _ = try SecretRotation(store: store, loader: loader, keyFilePath: keyFile, environment: [:]).resumeIfNeeded()
        let final = try verify("after resumeIfNeeded")
        #expect(final.others.isEmpty)
        #expect(Set(try store.sealedFields().map { SecretBox.keyID(of: $0.value) }) == [final.current.id])
        #expect(!FileManager.default.fileExists(atPath: keyFile + ".next"))
        #expect(keys.count > 1)
    }
}
