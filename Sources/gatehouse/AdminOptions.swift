import ArgumentParser
import Foundation
import GatewayEngine
import Logging

/// Where `serve` and the console's engine open their admin endpoint (`docs/ADMIN-API.md`).
struct AdminOptions: ParsableArguments {
    @Option(
        name: .long,
        help: "The admin Unix socket (owner only) a console attaches to (default: the database's path plus -admin.sock; 'off': none).")
    var adminSocket: String?

    @Option(name: .long, help: "Also serve the admin endpoint on TCP, HOST:PORT; needs --admin-token-file.")
    var adminListen: String?

    @Option(name: .long, help: "A file holding the bearer token the TCP admin endpoint requires (read once at start; never logged).")
    var adminTokenFile: String?

    func validate() throws {
        if adminListen != nil && adminTokenFile == nil {
            throw ValidationError("--admin-listen needs --admin-token-file: the TCP admin endpoint never answers without a token")
        }
        if let listen = adminListen { _ = try parseListen(listen) }
    }

    /// The socket path for a database at `database` (nil when turned off).
    func socketPath(database: String) -> String? {
        guard let adminSocket else { return AdminEndpointConfiguration.defaultSocketPath(database: database) }
        return adminSocket == "off" || adminSocket.isEmpty ? nil : adminSocket
    }

    /// The endpoint's configuration, with the token read from its file.
    func configuration(database: String) throws -> AdminEndpointConfiguration {
        var config = AdminEndpointConfiguration(socketPath: socketPath(database: database) ?? "")
        if let listen = adminListen, let file = adminTokenFile {
            (config.tcpHost, config.tcpPort) = try parseListen(listen)
            config.token = try Self.readToken(file)
        }
        return config
    }

    /// The first line of `file`, which must not be empty.
    static func readToken(_ file: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw GatewayError(.invalidArgument, "the admin token file '\(file)' cannot be read")
        }
        let token =
            String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard token.count >= 16 else {
            throw GatewayError(
                .invalidArgument, "the admin token in '\(file)' is shorter than 16 characters; use a long random one (openssl rand -hex 32)")
        }
        return token
    }
}

extension AdminOptions {
    /// The configuration, after checking that no live engine holds the socket. A default path too long for a Unix
    /// socket turns the socket off with a warning (an explicit one is an error).
    func claimedConfiguration(database: String, logger: Logger) async throws -> AdminEndpointConfiguration {
        var config = try configuration(database: database)
        guard let path = config.socketPath, !path.isEmpty else { return config }
        if adminSocket == nil, path.utf8.count > AdminEndpointConfiguration.maxSocketPathBytes {
            logger.warning("no admin socket: '\(path)' is too long for a Unix socket; give one with --admin-socket")
            config.socketPath = ""
            return config
        }
        try await AdminEndpoint.claim(socketPath: path)
        return config
    }
}

/// Turns a failure to bind the MCP listener into a sentence that names the address and what to do.
enum ListenFailure {
    static func explain(_ error: any Error, listen: String) -> any Error {
        guard ListenProbe.isAddressInUse(error) else { return error }
        return GatewayError(
            .conflict,
            "\(listen) is already in use by another program; pick another address with --listen HOST:PORT (port 0 picks a free one), or watch the engine already running with `gatehouse console --attach`"
        )
    }
}

extension ListenFailure {
    /// Fails with ``explain(_:listen:)``'s sentence when `host:port` cannot be bound now (port 0 always can), before
    /// the console takes the terminal.
    static func checkFree(host: String, port: Int, listen: String) async throws {
        if let error = await ListenProbe.bindError(host: host, port: port) { throw explain(error, listen: listen) }
    }
}
