import NIOCore
import NIOPosix

/// Whether an address can be listened on now, checked before a console takes the terminal so that a taken port
/// is reported as a sentence rather than after the screen flashed.
public enum ListenProbe {
    /// Whether `error` says the address is taken (`EADDRINUSE`), however NIO or Hummingbird wrapped it.
    public static func isAddressInUse(_ error: any Error) -> Bool {
        if let io = error as? IOError { return io.errnoCode == EADDRINUSE }
        let text = "\(error)"
        return text.contains("Address already in use") || text.contains("EADDRINUSE")
    }

    /// The error binding `host:port` gives (nil when it binds, or for port 0, which always does). The probe binds
    /// as the server does (`SO_REUSEADDR`), so a port in `TIME_WAIT` is not mistaken for a taken one.
    public static func bindError(host: String, port: Int) async -> (any Error)? {
        guard port != 0 else { return nil }
        do {
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: port).get()
            try await channel.close()
            return nil
        } catch {
            return error
        }
    }
}

extension ListenProbe {
    /// Whether something accepts TCP connections on `host:port` now (within `timeout`).
    public static func accepts(host: String, port: Int, timeout: Duration = .seconds(1)) async -> Bool {
        let ms = Int64(timeout.milliseconds)
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.milliseconds(ms))
                .connect(host: host, port: port).get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }
}
