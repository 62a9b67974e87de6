import Foundation
import Testing

@testable import GatewayEngine

@Suite("Stdio child processes")
struct ChildProcessTests {
    final class Lines: @unchecked Sendable {
        let lock = NSLock()
        var lines: [String] = []
        var stderr: [String] = []
        func add(_ s: String) { lock.withLock { lines.append(s) } }
        func addErr(_ s: String) { lock.withLock { stderr.append(s) } }
        var all: [String] { lock.withLock { lines } }
        var allErr: [String] { lock.withLock { stderr } }
    }

    @Test("the child gets only allow-listed variables and its own, never the master key; it is reaped")
    func environmentAndReaping() async throws {
        setenv("GATEHOUSE_MASTER_KEY", "canary-master-key-0123456789abcdef", 1)
        defer { unsetenv("GATEHOUSE_MASTER_KEY") }
        let lines = Lines()
        let exited = LockedBox<Int32?>(nil)
        let child = try ChildProcess(
            argv: ["env"], environment: ["UPSTREAM_TOKEN_NAME": "x"], workingDirectory: "/", maxLine: 1 << 20,
            onLine: { lines.add(String(decoding: $0, as: UTF8.self)) }, onOverflow: {}, onStderr: { _ in },
            onExit: { status in exited.withLock { $0 = status } })
        #expect(await child.waitForExit(timeout: .seconds(10)))
        #expect(child.exitStatus == 0)
        #expect(kill(child.pid, 0) == -1 && errno == ESRCH, "the child was reaped (no zombie)")
        let env = lines.all
        #expect(env.contains("UPSTREAM_TOKEN_NAME=x"))
        #expect(!env.contains { $0.contains("canary-master-key") }, "the master key must not reach a child")
        #expect(
            env.allSatisfy { line in
                let name = String(line.split(separator: "=", maxSplits: 1).first ?? "")
                return name == "UPSTREAM_TOKEN_NAME" || ChildProcess.inheritedEnvironment.contains(name)
            })
    }

    @Test("stop ends a child that ignores its input with SIGTERM to its group, and reaps it")
    func stopEscalates() async throws {
        let child = try ChildProcess(
            argv: ["sleep", "300"], environment: [:], workingDirectory: nil, maxLine: 1024, onLine: { _ in }, onOverflow: {},
            onStderr: { _ in }, onExit: { _ in })
        #expect(getpgid(child.pid) == child.pid, "the child leads a process group of its own")
        await child.stop(grace: .milliseconds(200))
        #expect(child.exitStatus.map(ChildProcess.describe) == "signal 15")
        #expect(kill(child.pid, 0) == -1)
    }

    @Test("stdout is drained before the exit is reported; stderr lines are captured; an over-long line is skipped")
    func streams() async throws {
        let lines = Lines()
        let overflow = LockedBox(0)
        let (stderr, stderrLines) = AsyncStream.makeStream(of: String.self)
        let script = "printf 'one\\n'; printf 'oops\\n' >&2; head -c 5000 /dev/zero | tr '\\\\0' a; printf '\\ntwo\\n'"
        let child = try ChildProcess(
            argv: ["sh", "-c", script], environment: [:], workingDirectory: nil, maxLine: 1000,
            onLine: { lines.add(String(decoding: $0, as: UTF8.self)) }, onOverflow: { overflow.withLock { $0 += 1 } },
            onStderr: { stderrLines.yield($0) }, onExit: { _ in })
        #expect(await child.waitForExit(timeout: .seconds(10)))
        // The exit is reported only after stdout was read to its end, so every line is there now.
        #expect(lines.all == ["one", "two"])
        #expect(overflow.withLock { $0 } == 1)
        var iterator = stderr.makeAsyncIterator()
        #expect(await iterator.next() == "oops")
    }

    @Test("a missing program is a clear error")
    func missingProgram() {
        #expect(throws: ChildProcess.SpawnError.self) {
            _ = try ChildProcess(
                argv: ["/nonexistent/gatehouse-test-binary"], environment: [:], workingDirectory: nil, maxLine: 10, onLine: { _ in },
                onOverflow: {}, onStderr: { _ in }, onExit: { _ in })
        }
    }
}
