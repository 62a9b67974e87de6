import Foundation
import Logging

/// The stdio transport as a client: newline-delimited JSON-RPC on a child's stdin and stdout; its stderr goes to
/// the engine log. The channel is one child process; ``UpstreamHub`` restarts and stops it.
final class StdioUpstreamChannel: UpstreamChannel, @unchecked Sendable {
    private let settings: UpstreamSettings
    private let logger: Logger
    private let grace: Duration
    private let child = LockedBox<ChildProcess?>(nil)

    init(settings: UpstreamSettings, grace: Duration, logger: Logger) {
        self.settings = settings
        self.grace = grace
        self.logger = logger
    }

    var answersOnSend: Bool { false }

    /// The child's process id while it runs.
    var pid: Int32? { child.withLock { $0?.pid } }

    func open(inbox: UpstreamInbox) async throws(UpstreamError) {
        let name = settings.name
        let logger = logger
        let limit = settings.maxMessageBytes
        do {
            let process = try ChildProcess(
                argv: settings.argv, environment: settings.environment, workingDirectory: settings.workingDirectory, maxLine: limit,
                onLine: { line in
                    do {
                        inbox.message(try JSONParser(maxDepth: 128).parse(line), nil)
                    } catch {
                        logger.warning("upstream wrote a line that is not JSON-RPC to stdout; ignored", metadata: ["upstream": "\(name)", "error": "\(error)"])
                    }
                },
                onOverflow: {
                    logger.error("upstream sent a message larger than the limit; restarting it", metadata: ["upstream": "\(name)", "limit": "\(limit)"])
                    inbox.closed(UpstreamError(.tooLarge, "upstream '\(name)' sent a message larger than the \(limit)-byte limit"))
                },
                onStderr: { line in
                    logger.notice("\(line)", metadata: ["upstream": "\(name)", "stream": "stderr"])
                },
                onExit: { status in
                    inbox.closed(UpstreamError(.unavailable, "upstream '\(name)' exited (\(ChildProcess.describe(status)))"))
                })
            child.withLock { $0 = process }
            logger.info("started stdio upstream", metadata: ["upstream": "\(name)", "pid": "\(process.pid)"])
        } catch {
            throw UpstreamError(.unavailable, "upstream '\(name)': \(error)")
        }
    }

    func send(_ message: JSONValue, requestID: JSONValue?, headers: [HeaderRule]) async throws(UpstreamError) {
        guard let process = child.withLock({ $0 }) else { throw UpstreamError(.unavailable, "upstream '\(settings.name)' is not running") }
        var bytes = message.serialized()
        bytes.append(0x0A)
        guard await process.write(bytes) else {
            throw UpstreamError(.unavailable, "upstream '\(settings.name)' stopped reading its input")
        }
    }

    func initialized(protocolVersion: String) async {}

    func resetSession() {}

    func close() async {
        guard let process = child.withLock({ $0 }) else { return }
        await process.stop(grace: grace)
        logger.info("stopped stdio upstream", metadata: ["upstream": "\(settings.name)", "pid": "\(process.pid)"])
    }
}
