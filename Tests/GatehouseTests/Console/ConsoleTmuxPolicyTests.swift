import Foundation
import Testing

/// Editing a policy document in the real binary under tmux, with `$EDITOR` set to a script that plays back prepared
/// edits (see ``ScriptedEditor``). Uses the same harness as ``ConsoleTmuxTests``.
@Suite(
    "Console under tmux: policies", .serialized, .timeLimit(.minutes(2)),
    .enabled(if: tmuxPath != nil, "tmux is not installed; install it (apt-get install tmux) to run the console end-to-end tests"))
struct ConsoleTmuxPolicyTests {
    init() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: gatehouseBinary),
            "build the binary first: swift build --product gatehouse (\(gatehouseBinary))")
    }

    static let invalid = "inbound:\n  - rate-limit-by-key: { renewal-period: 30 }\n"
    static let valid = "inbound:\n  - rate-limit: { calls: 100, renewal-period: 60 }\n"

    @Test("n on Policies: an invalid document is reopened with the error and not saved; abandoned, nothing is stored; fixed, it is")
    func editPolicyThroughEditor() async throws {
        // Runs 1 and 3 write an invalid document, run 2 quits without saving (abandon), run 4 writes a valid one.
        let editor = try ScriptedEditor(steps: [1: Self.invalid, 3: Self.invalid, 4: Self.valid])
        let console = try TmuxConsole(environment: ["EDITOR": editor.command, "VISUAL": "", "TMPDIR": editor.dir])
        try await console.waitFor("Welcome to Gatehouse")
        try console.send("6")
        try await console.waitFor("No policy documents yet")

        try console.send("n")
        try await console.waitFor("New policy document")
        try console.send("global")
        try console.send("Enter")
        try await console.waitFor("edit abandoned after an error")
        #expect(editor.runs == 2)
        let reopened = try #require(editor.seen(2))
        #expect(reopened.hasPrefix("# error: policy global: inbound[0].rate-limit-by-key: calls"), "\(reopened)")
        #expect(reopened.hasSuffix(Self.invalid))
        let absent = try runProgram(gatehouseBinary, ["policy", "show", "--scope", "global", "--db", console.database])
        #expect(absent.status != 0, "the invalid document was stored: \(absent.out)")

        try console.send("n")
        try await console.waitFor("New policy document")
        try console.send("global")
        try console.send("Enter")
        try await console.waitFor("saved the policy document of global: 1 inbound, 0 outbound")
        try await console.waitFor("the new row") { $0.contains("global") && $0.contains("rate-limit") && $0.contains("[6 Policies]") }
        #expect(editor.runs == 4)
        #expect(try #require(editor.seen(3)).contains("# Gatehouse: the policy document of global"))
        let stored = try runProgram(gatehouseBinary, ["policy", "show", "--scope", "global", "--db", console.database])
        #expect(stored.status == 0, "\(stored.err)")
        #expect(stored.out == Self.valid)

        try console.send("q")
        #expect(try await console.waitForExit() == 0)
    }
}

/// An `$EDITOR` for tests: a shell script that, on its Nth run, keeps a copy of the file it was given as
/// `seen-N.yaml` and, when `step-N.yaml` exists, replaces the file's content with it (otherwise it leaves the file
/// unchanged, like quitting without saving).
final class ScriptedEditor {
    let dir: String
    var script: String { dir + "/editor.sh" }
    /// The `$EDITOR` value: the script run by `/bin/sh` rather than executed itself. Executing a file that was just
    /// written fails with ETXTBSY while any other process forked meanwhile (a tmux server of a test running in
    /// parallel) still holds the write descriptor it inherited.
    var command: String { "/bin/sh " + script }

    init(steps: [Int: String]) throws {
        dir = NSTemporaryDirectory() + "gatehouse-editor-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (n, text) in steps { try text.write(toFile: dir + "/step-\(n).yaml", atomically: true, encoding: .utf8) }
        let body = """
            #!/bin/sh
            dir=\(TmuxConsole.quote(dir))
            n=$(( $(cat "$dir/count" 2>/dev/null || echo 0) + 1 ))
            echo "$n" > "$dir/count"
            cp "$1" "$dir/seen-$n.yaml"
            if [ -f "$dir/step-$n.yaml" ]; then cat "$dir/step-$n.yaml" > "$1"; fi
            exit 0

            """
        try body.write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    /// How many times the editor ran.
    var runs: Int {
        Int(((try? String(contentsOfFile: dir + "/count", encoding: .utf8)) ?? "0").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    /// The file as the Nth run was given it.
    func seen(_ n: Int) -> String? { try? String(contentsOfFile: dir + "/seen-\(n).yaml", encoding: .utf8) }
}
