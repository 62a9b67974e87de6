import CPosixShim
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A child process with pipes on stdin, stdout and stderr, started with `posix_spawn` (an argument vector, never a
/// shell) in a process group of its own, with no descriptor of ours but the three pipes and only an allow-listed
/// environment (the master key and other secrets of the gateway never reach it). A thread per pipe reads it and one
/// waits for the exit, so the child is always reaped.
final class ChildProcess: @unchecked Sendable {
    /// Variables passed through from the gateway's environment; everything else comes from the upstream's settings.
    static let inheritedEnvironment = ["PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "USER", "LOGNAME", "TMPDIR", "SHELL"]

    struct SpawnError: Error, CustomStringConvertible {
        var description: String
    }

    let pid: pid_t
    private let stdinFD: Int32
    private let writeQueue: DispatchQueue
    private let exitState = LockedBox<(status: Int32?, waiters: [@Sendable (Int32) -> Void])>((nil, []))
    private let inputClosed = LockedBox(false)

    /// Starts the child. `onLine` gets each stdout line (without the newline; a line over `maxLine` bytes ends the
    /// read with `onOverflow`), `onStderr` each stderr line (truncated), `onExit` the wait status once it is reaped.
    init(
        argv: [String], environment: [String: String], workingDirectory: String?, maxLine: Int,
        onLine: @escaping @Sendable ([UInt8]) -> Void, onOverflow: @escaping @Sendable () -> Void,
        onStderr: @escaping @Sendable (String) -> Void, onExit: @escaping @Sendable (Int32) -> Void
    ) throws {
        guard let program = argv.first, !program.isEmpty else { throw SpawnError(description: "no command") }
        var inPipe: [Int32] = [0, 0]
        var outPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        guard gh_pipe2(&inPipe, O_CLOEXEC) == 0 else { throw SpawnError(description: "pipe: \(String(cString: strerror(errno)))") }
        guard gh_pipe2(&outPipe, O_CLOEXEC) == 0 else {
            close(inPipe[0])
            close(inPipe[1])
            throw SpawnError(description: "pipe: \(String(cString: strerror(errno)))")
        }
        guard gh_pipe2(&errPipe, O_CLOEXEC) == 0 else {
            close(inPipe[0])
            close(inPipe[1])
            close(outPipe[0])
            close(outPipe[1])
            throw SpawnError(description: "pipe: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        _ = gh_spawn_add_closefrom(&actions, 3)
        if let dir = workingDirectory, !dir.isEmpty {
            _ = dir.withCString { gh_spawn_add_chdir(&actions, $0) }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Own process group (no terminal signals from the console; the whole group can be stopped), default signal
        // dispositions and an empty mask (the gateway ignores SIGPIPE; the child must not inherit that).
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let parent = ProcessInfo.processInfo.environment
        var env: [String: String] = [:]
        for name in Self.inheritedEnvironment { if let v = parent[name] { env[name] = v } }
        for (k, v) in environment { env[k] = v }
        let envStrings = env.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }

        var pid: pid_t = 0
        let resolved = Self.locate(program, path: env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin")
        let result = Self.withCStrings(argv) { argvC in
            Self.withCStrings(envStrings) { envC in
                posix_spawn(&pid, resolved, &actions, &attributes, argvC, envC)
            }
        }
        close(inPipe[0])
        close(outPipe[1])
        close(errPipe[1])
        guard result == 0 else {
            close(inPipe[1])
            close(outPipe[0])
            close(errPipe[0])
            throw SpawnError(description: "could not start '\(program)': \(String(cString: strerror(result)))")
        }
        self.pid = pid
        stdinFD = inPipe[1]
        writeQueue = DispatchQueue(label: "gatehouse.stdio.\(pid).write")

        let outFD = outPipe[0]
        let errFD = errPipe[0]
        // The exit is reported only after stdout is read to its end (or 2 s later, if a grandchild keeps it open), so
        // an answer written just before exiting is never lost.
        let drained = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            Self.readLines(outFD, maxLine: maxLine, onLine: onLine, onOverflow: onOverflow)
            close(outFD)
            drained.signal()
        }
        Thread.detachNewThread {
            Self.readLines(errFD, maxLine: 4096, onLine: { onStderr(String(decoding: $0, as: UTF8.self)) }, onOverflow: {})
            close(errFD)
        }
        let exitState = self.exitState
        let childPID = pid
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(childPID, &status, 0) == -1 && errno == EINTR {}
            _ = drained.wait(timeout: .now() + 2)
            let waiters = exitState.withLock { s in
                defer { s.waiters = [] }
                s.status = status
                return s.waiters
            }
            waiters.forEach { $0(status) }
            onExit(status)
        }
    }

    /// The program itself when it contains a slash, else the first executable match on `PATH`.
    static func locate(_ program: String, path: String) -> String {
        if program.contains("/") { return program }
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/\(program)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return program
    }

    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { pointers.forEach { free($0) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    private static func readLines(_ fd: Int32, maxLine: Int, onLine: ([UInt8]) -> Void, onOverflow: () -> Void) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        var line: [UInt8] = []
        var skipping = false
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, 65536) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            for b in buffer[0..<n] {
                if b == 0x0A {
                    if !skipping, !line.isEmpty { onLine(line) }
                    skipping = false
                    line.removeAll(keepingCapacity: true)
                } else if !skipping {
                    line.append(b)
                    if line.count > maxLine {
                        onOverflow()
                        skipping = true
                        line.removeAll()
                    }
                }
            }
        }
        if !skipping, !line.isEmpty { onLine(line) }
    }

    /// Writes bytes to the child's stdin (in order, off the caller's thread). False when stdin is closed or broken.
    func write(_ bytes: [UInt8]) async -> Bool {
        await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
            writeQueue.async { [self] in
                if inputClosed.withLock({ $0 }) { return c.resume(returning: false) }
                var offset = 0
                while offset < bytes.count {
                    let n = bytes.withUnsafeBytes { Glibc.write(stdinFD, $0.baseAddress! + offset, bytes.count - offset) }
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { return c.resume(returning: false) }
                    offset += n
                }
                c.resume(returning: true)
            }
        }
    }

    /// Closes stdin (most stdio servers exit on end of input).
    func closeInput() {
        writeQueue.async { [self] in
            let wasOpen = inputClosed.withLock { closed in
                defer { closed = true }
                return !closed
            }
            if wasOpen { close(stdinFD) }
        }
    }

    /// The exit status once the child has been reaped.
    var exitStatus: Int32? { exitState.withLock { $0.status } }

    /// Waits for the exit, at most `timeout`; true when it exited.
    func waitForExit(timeout: Duration) async -> Bool {
        if exitStatus != nil { return true }
        let pending = LockedBox<CheckedContinuation<Bool, Never>?>(nil)
        return await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
            pending.withLock { $0 = c }
            let resume: @Sendable (Bool) -> Void = { value in
                let k = pending.withLock { p in
                    defer { p = nil }
                    return p
                }
                k?.resume(returning: value)
            }
            let exited = exitState.withLock { s -> Bool in
                if s.status != nil { return true }
                s.waiters.append { _ in resume(true) }
                return false
            }
            if exited { return resume(true) }
            Task {
                try? await Task.sleep(for: timeout)
                resume(false)
            }
        }
    }

    /// Stops the child: end of input, then SIGTERM to its group, then SIGKILL, each after `grace`. Returns once it
    /// has been reaped (or SIGKILL was sent and waited for).
    func stop(grace: Duration) async {
        closeInput()
        if await waitForExit(timeout: grace) { return }
        kill(-pid, SIGTERM)
        if await waitForExit(timeout: grace) { return }
        kill(-pid, SIGKILL)
        _ = await waitForExit(timeout: .seconds(5))
    }

    /// Describes a wait status: `exit 1`, `signal 9`.
    static func describe(_ status: Int32) -> String {
        let signal = status & 0x7F
        return signal == 0 ? "exit \((status >> 8) & 0xFF)" : "signal \(signal)"
    }
}
