import Foundation
import Store
import Testing

@testable import ConsoleUI
@testable import GatewayEngine

@Suite("Error reporting")
struct ErrorReportingTests {
    @Test("every module's error is a GatehouseError with its code, message and place, printed as one line")
    func oneProtocol() {
        let errors: [any GatehouseError] = [
            GatewayError(.invalidConfig, "missing key 'spec'", location: "gatehouse.yaml: apis[0]"),
            StoreError(.notFound, "no API named 'pets'"),
            CredentialError(.locked, "credentials are locked: no master key"),
            UpstreamError(.timeout, "upstream 'up' did not answer in time"),
            TerminalError(.notATerminal, "stdin and stdout must be a terminal"),
        ]
        #expect(errors.map(\.errorCode) == ["invalid_config", "not_found", "credentials_locked", "timeout", "not_a_terminal"])
        #expect(errors.map(\.location) == ["gatehouse.yaml: apis[0]", nil, nil, nil, nil])
        #expect(
            errors.map(\.formatted) == [
                "gatehouse.yaml: apis[0]: missing key 'spec'", "no API named 'pets'", "credentials are locked: no master key",
                "upstream 'up' did not answer in time", "stdin and stdout must be a terminal",
            ])
        // The console's flash line is the same text (through the protocol), and so is each error's description.
        #expect(errors.map { ConsoleEffectExecutor.describe($0) } == errors.map(\.formatted))
        #expect(errors.map(\.description) == errors.map(\.formatted))
        struct Other: Error {}
        #expect(ConsoleEffectExecutor.describe(Other()) == "Other()")
    }

    @Test("the CLI prints store, engine and located config errors as `error: …` on stderr and exits 1")
    func cliPrinter() async throws {
        let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/gatehouse").path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build the gatehouse product first")
        let dir = TempDir()
        let db = dir.path + "/errors.sqlite"
        let config = dir.path + "/bad.yaml"
        try "servers:\n  - name: s\n    api: nowhere\n".write(toFile: config, atomically: true, encoding: .utf8)
        let cases: [(arguments: [String], line: String)] = [
            (["api", "show", "pets"], "error: no API named 'pets'"),
            (
                ["apply", "-f", config],
                "error: \(config): servers[0].api: server 's' uses API 'nowhere', which is neither in the file nor in the store"
            ),
        ]
        for c in cases {
            let (status, stderr) = try await run(binary, c.arguments + ["--db", db])
            #expect(status == 1 << 8, "\(c.arguments)")
            #expect(stderr == [c.line], "\(c.arguments)")
        }
    }

    /// Runs a command to its end (posix_spawn + waitpid, stderr to a file); returns its wait status and stderr lines.
    private func run(_ binary: String, _ arguments: [String]) async throws -> (Int32, [String]) {
        let dir = TempDir()
        let errPath = dir.path + "/stderr"
        let argv = ([binary] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var pid: pid_t = 0
        try #require(posix_spawn(&pid, binary, &actions, nil, argv, environ) == 0)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return (status, text.split(separator: "\n").map(String.init))
    }
}
