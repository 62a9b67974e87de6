import Foundation
import Synchronization

/// Runs the user's editor on a file with the real terminal as its stdin, stdout and stderr.
///
/// The editor is `$VISUAL`, else `$EDITOR`, else `vi`. The variable is split into arguments on whitespace and the
/// program is looked up in `PATH`; it never goes through a shell, so nothing in it is interpreted.
public enum EditorLauncher {
    /// The editor's argument vector (without the file).
    public static func command(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        for name in ["VISUAL", "EDITOR"] {
            let words = (environment[name] ?? "").split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
            if !words.isEmpty { return words }
        }
        return ["vi"]
    }

    /// Runs the editor on `path` and waits for it to exit, without blocking the caller's thread.
    ///
    /// The editor is spawned directly (`posix_spawnp`, searching `PATH`) in this process's foreground process group
    /// so it may read the terminal (Foundation's `Process` would put it in a background group, where reads fail),
    /// with default signal dispositions and an empty signal mask (this process ignores SIGINT, SIGTERM and SIGPIPE).
    /// - Throws: ``TerminalError/Code/editorFailed`` when it cannot start or exits with a failure status.
    public static func run(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) async throws(TerminalError) {
        let argv = command(environment: environment) + [path]
        let pid = try spawn(argv)
        running.set(pid)
        defer { running.set(nil) }
        let status: Int32 = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                continuation.resume(returning: status)
            }
        }
        // WIFEXITED / WEXITSTATUS, spelled out (the macros are not imported).
        let signal = status & 0x7F
        if signal != 0 { throw TerminalError(.editorFailed, "editor '\(argv[0])' was killed by signal \(signal)") }
        let code = (status >> 8) & 0xFF
        if code != 0 { throw TerminalError(.editorFailed, "editor '\(argv[0])' exited with status \(code)") }
    }

    /// Asks a running editor to exit (SIGTERM), so a graceful shutdown need not wait for the user. The edit
    /// session then keeps the user's text in its file.
    public static func terminateRunningEditor() {
        if let pid = running.get() { kill(pid, SIGTERM) }
    }

    private static let running = RunningEditor()

    /// The pid of the editor being waited for.
    private final class RunningEditor: Sendable {
        private let pid = Mutex<pid_t?>(nil)
        func set(_ value: pid_t?) { pid.withLock { $0 = value } }
        func get() -> pid_t? { pid.withLock { $0 } }
    }

    static func spawn(_ argv: [String]) throws(TerminalError) -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGINT, SIGTERM, SIGQUIT, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU, SIGCHLD, SIGWINCH, SIGHUP] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, argv[0], nil, &attributes, cArgs, cEnv)
        guard rc == 0 else {
            let reason = String(cString: strerror(rc))
            throw TerminalError(.editorFailed, "cannot start editor '\(argv[0])': \(reason) (set $VISUAL or $EDITOR)")
        }
        return pid
    }
}
