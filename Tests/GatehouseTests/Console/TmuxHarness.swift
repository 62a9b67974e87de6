import Foundation
import Testing

/// Where the real binary is: `<package root>/.build/debug/gatehouse`.
let gatehouseBinary: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }
    return url.path + "/.build/debug/gatehouse"
}()

/// The tmux executable, if installed.
let tmuxPath: String? = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux", "/bin/tmux"].first {
    FileManager.default.isExecutableFile(atPath: $0)
}

/// Runs a program to completion and returns its exit status, stdout and stderr.
///
/// Spawned with `posix_spawn` rather than Foundation's `Process`, whose `waitUntilExit` can hang on Linux and whose
/// children inherit the calling thread's signal mask (dispatch threads block nearly every signal, so a tmux server
/// started that way never sees SIGCHLD or SIGTERM). Output goes to files, never pipes: `tmux new-session` leaves a
/// server behind that would hold a pipe open forever.
@discardableResult
func runProgram(_ path: String, _ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
    let base = NSTemporaryDirectory() + "gatehouse-run-" + UUID().uuidString
    let outPath = base + ".out"
    let errPath = base + ".err"
    defer {
        try? FileManager.default.removeItem(atPath: outPath)
        try? FileManager.default.removeItem(atPath: errPath)
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var mask = sigset_t()
    sigemptyset(&mask)
    posix_spawnattr_setsigmask(&attributes, &mask)
    var defaults = sigset_t()
    sigfillset(&defaults)
    sigdelset(&defaults, SIGKILL)
    sigdelset(&defaults, SIGSTOP)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    let env = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        argv.forEach { free($0) }
        env.forEach { free($0) }
    }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, path, &actions, &attributes, argv, env)
    guard rc == 0 else { throw ScreenTimeout(waitingFor: "spawning \(path)", screen: String(cString: strerror(rc))) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let code = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    return (code, out, err)
}

/// A timeout while waiting for the screen.
struct ScreenTimeout: Error, CustomStringConvertible {
    var waitingFor: String
    var screen: String
    /// Every distinct flash line seen while waiting (a message may have come and gone before the timeout).
    var flashes: [String] = []
    var description: String {
        let seen = flashes.isEmpty ? "" : "\nflash lines seen while waiting:\n" + flashes.joined(separator: "\n")
        return "timed out waiting for \(waitingFor); the screen was:\n\(screen)\(seen)"
    }
}

/// One console under an isolated tmux server (its own socket, no user config, a fixed size, no status line), with
/// the pane kept after the process exits so its exit status and screen mode can be checked.
final class TmuxConsole {
    let dir: String
    let socket: String
    let session = "gatehouse"
    let database: String
    let portFile: String
    /// The console's pid, read right after the session starts (while tmux certainly still knows it).
    private(set) var processID: pid_t = 0

    /// Starts `gatehouse <arguments>` on a fresh temporary database.
    init(
        arguments: [String] = ["console"], width: Int = 100, height: Int = 30, environment: [String: String] = [:],
        prepare: (String) throws -> Void = { _ in }
    ) throws {
        dir = NSTemporaryDirectory() + "gatehouse-tmux-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        socket = dir + "/sock"
        database = dir + "/gatehouse.sqlite"
        portFile = dir + "/port"
        try prepare(database)
        let conf = dir + "/tmux.conf"
        try "set -g remain-on-exit on\nset -g status off\nset -g default-terminal screen\n".write(toFile: conf, atomically: true, encoding: .utf8)
        var env = ["LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "GATEHOUSE_CONSOLE_PORT_FILE": portFile, "TERM": "screen"]
        env.merge(environment) { _, new in new }
        let assignments = env.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quote($0.value))" }.joined(separator: " ")
        let argv = ([gatehouseBinary] + arguments + ["--db", database, "--listen", "127.0.0.1:0"]).map(Self.quote).joined(separator: " ")
        let command = "exec env -u NO_COLOR \(assignments) \(argv)"
        let started = try runProgram(
            tmuxPath!, ["-S", socket, "-f", conf, "new-session", "-d", "-s", session, "-x", "\(width)", "-y", "\(height)", command])
        guard started.status == 0 else { throw ScreenTimeout(waitingFor: "tmux new-session", screen: "exit status \(started.status)") }
        processID = (try? pid()) ?? 0
    }

    deinit {
        _ = try? runProgram(tmuxPath!, ["-S", socket, "kill-server"])
        try? FileManager.default.removeItem(atPath: dir)
    }

    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    @discardableResult
    func tmux(_ arguments: [String]) throws -> String {
        let r = try runProgram(tmuxPath!, ["-S", socket] + arguments)
        return r.out
    }

    /// The pane's text now.
    func screen() throws -> String { try tmux(["capture-pane", "-p", "-t", session]) }

    /// A pane format value (`#{alternate_on}`, `#{pane_dead}` …).
    func format(_ name: String) throws -> String {
        try tmux(["display-message", "-p", "-t", session, "#{\(name)}"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Sends tmux key names (`q`, `Enter`, `Escape`, `4`).
    func send(_ keys: String...) throws { try tmux(["send-keys", "-t", session] + keys) }

    /// Polls the screen until `predicate` holds; returns that screen.
    @discardableResult
    func waitFor(_ what: String, timeout: Duration = .seconds(30), _ predicate: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var last = ""
        var flashes: [String] = []
        while ContinuousClock.now < deadline {
            last = try screen()
            if predicate(last) { return last }
            let lines = last.split(separator: "\n", omittingEmptySubsequences: false)
            if lines.count >= 3 {
                let flash = lines[lines.count - 3].trimmingCharacters(in: .whitespaces)
                if !flash.isEmpty, !flashes.contains(flash) { flashes.append(flash) }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ScreenTimeout(waitingFor: what, screen: last, flashes: flashes)
    }

    /// Polls the screen until it contains `text`.
    @discardableResult
    func waitFor(_ text: String, timeout: Duration = .seconds(30)) async throws -> String {
        try await waitFor("'\(text)'", timeout: timeout) { $0.contains(text) }
    }

    /// Waits for the process to exit; returns its exit status (128 + N when killed by signal N).
    ///
    /// tmux marks the pane dead when the terminal closes and fills in the status once it has reaped the process;
    /// now and then (seen on Linux under load) it never reaps it. The kernel keeps a zombie's wait status in
    /// `/proc/PID/stat` (field 52, `exit_code`), so that is read too.
    func waitForExit(timeout: Duration = .seconds(30)) async throws -> Int {
        let pid = processID
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            // The tmux server itself has been seen to exit with the pane; then only the zombie is left to ask.
            if (try? format("pane_dead")) == "1" {
                if let status = (try? format("pane_dead_status")).flatMap({ Int($0) }) { return status }
                if let signal = (try? format("pane_dead_signal")).flatMap({ Int($0) }) { return 128 + signal }
            }
            if let status = Self.zombieStatus(pid) { return status }
            try await Task.sleep(for: .milliseconds(50))
        }
        let stat = (try? String(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/status"), encoding: .utf8)) ?? "?"
        throw ScreenTimeout(
            waitingFor:
                "the process to exit (pid \(pid), pane_dead \((try? format("pane_dead")) ?? "?"), zombie \(String(describing: Self.zombieStatus(pid))), status \(stat.prefix(80)))",
            screen: (try? screen()) ?? "")
    }

    /// The wait status of `pid` when it is a zombie, decoded like a shell's `$?`; nil while it runs.
    static func zombieStatus(_ pid: pid_t) -> Int? {
        // /proc files report size 0, so read them with plain read(2) rather than Foundation's file APIs.
        guard pid > 0 else { return nil }
        let fd = open("/proc/\(pid)/stat", O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let n = read(fd, &bytes, bytes.count)
        guard n > 0 else { return nil }
        let stat = String(decoding: bytes[0..<n], as: UTF8.self)
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(whereSeparator: { $0 == " " || $0 == "\n" })
        // fields[0] is field 3 (state); exit_code is field 52.
        guard fields.first == "Z", fields.count > 49, let raw = Int(fields[49]) else { return nil }
        return raw & 0x7F == 0 ? (raw >> 8) & 0xFF : 128 + (raw & 0x7F)
    }

    /// The process's pid.
    func pid() throws -> pid_t { pid_t(try format("pane_pid")) ?? 0 }

    /// The bound port, once the server listens.
    func port(timeout: Duration = .seconds(30)) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                return port
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ScreenTimeout(waitingFor: "the port file", screen: (try? screen()) ?? "")
    }
}
