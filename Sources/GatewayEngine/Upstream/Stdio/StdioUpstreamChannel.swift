import Foundation
import Logging
import Store

/// The stdio transport as a client: newline-delimited JSON-RPC on a child's stdin and stdout; its stderr goes to
/// the engine log. The channel is one child process; ``UpstreamHub`` restarts and stops it.
final class StdioUpstreamChannel: UpstreamChannel, @unchecked Sendable {
    private let settings: UpstreamSettings
    private let logger: Logger
    private let grace: Duration
    private let child = LockedBox<ChildProcess?>(nil)
    private let secrets = LockedBox<[String]>([])

    var injectedSecrets: [String] { secrets.withLock { $0 } }
    /// Resolves `{{credential:NAME}}` references in the environment (nil: references are an error).
    private let credentials: CredentialManager?

    init(settings: UpstreamSettings, grace: Duration, credentials: CredentialManager?, logger: Logger) {
        self.settings = settings
        self.grace = grace
        self.credentials = credentials
        self.logger = logger
    }

    /// The configured environment with every `{{credential:NAME}}` replaced by that connection's current secret, so
    /// a token lives sealed in the credential store rather than in the upstream's settings.
    func resolvedEnvironment() async throws(UpstreamError) -> (environment: [String: String], secrets: [String]) {
        var out: [String: String] = [:]
        var secrets: [String] = []
        for (key, value) in settings.environment {
            var resolved = value
            for name in UpstreamRecord.credentialReferences(in: value) {
                guard let credentials else {
                    throw UpstreamError(.invalidConfiguration, "upstream '\(settings.name)': credentials are not available to resolve \(key)")
                }
                do {
                    let secret = try await credentials.secret(for: name)
                    resolved = resolved.replacingOccurrences(of: "{{credential:\(name)}}", with: secret.unmasked)
                    if !secret.isEmpty { secrets.append(secret.unmasked) }
                } catch {
                    throw UpstreamError(.unavailable, "upstream '\(settings.name)': credential '\(name)' for \(key) is unavailable: \(error.message)")
                }
            }
            out[key] = resolved
        }
        return (out, secrets)
    }

    var answersOnSend: Bool { false }

    /// The child's process id while it runs.
    var pid: Int32? { child.withLock { $0?.pid } }

    func open(inbox: UpstreamInbox) async throws(UpstreamError) {
        let name = settings.name
        let logger = logger
        let limit = settings.maxMessageBytes
        // A child that prints its environment (or an error quoting its token) must not put the secret in the log.
        let (environment, secrets) = try await resolvedEnvironment()
        self.secrets.withLock { $0 = secrets }
        do {
            let process = try ChildProcess(
                argv: settings.argv, environment: environment, workingDirectory: settings.workingDirectory, maxLine: limit,
                onLine: { line in
                    do {
                        inbox.message(try JSONParser(maxDepth: 128).parse(line), nil)
                    } catch {
                        logger.warning(
                            "upstream wrote a line that is not JSON-RPC to stdout; ignored", metadata: ["upstream": "\(name)", "error": "\(error)"])
                    }
                },
                onOverflow: {
                    logger.error(
                        "upstream sent a message larger than the limit; restarting it", metadata: ["upstream": "\(name)", "limit": "\(limit)"])
                    inbox.closed(UpstreamError(.tooLarge, "upstream '\(name)' sent a message larger than the \(limit)-byte limit"))
                },
                onStderr: { line in
                    let shown = secrets.isEmpty ? line : String(decoding: SecretMasker.redact(Array(line.utf8), secrets: secrets), as: UTF8.self)
                    logger.notice("\(shown)", metadata: ["upstream": "\(name)", "stream": "stderr"])
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
