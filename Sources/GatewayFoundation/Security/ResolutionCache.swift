/// The SSRF verdict cache: remembers the guard's verdict per (URL origin, allowPrivate) for 30 s, so a hot path (a
/// backend call, an upstream request) does not resolve its host on every call. Refusals are cached too.
package final class ResolutionCache: Sendable {
    private struct Entry {
        var expires: ContinuousClock.Instant
        var error: GatewayError?
    }
    private let entries = LockedBox<[String: Entry]>([:])
    private let ttl: Duration = .seconds(30)

    package init() {}

    /// Passes when `url` may be connected to (from the cache, or by running the guard off the cooperative pool);
    /// throws the guard's `.invalidURL` / `.forbiddenAddress` otherwise.
    package func check(_ url: String, allowPrivateNetwork: Bool, guard addressGuard: AddressGuard = AddressGuard()) async throws(GatewayError) {
        let key = allowPrivateNetwork ? "1|" + url : "0|" + url
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[key] }), entry.expires > now {
            if let error = entry.error { throw error }
            return
        }
        var verdict: GatewayError?
        do throws(GatewayError) {
            _ = try await addressGuard.checkOffPool(url, allowPrivateNetwork: allowPrivateNetwork)
        } catch {
            verdict = error
        }
        entries.withLock { dict in
            if dict.count > 10_000 { dict.removeAll() }
            dict[key] = Entry(expires: now + ttl, error: verdict)
        }
        if let verdict { throw verdict }
    }
}
