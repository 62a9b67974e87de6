/// The SSRF verdict cache: remembers the guard's verdict — the approved addresses, or the refusal — per (URL,
/// allowPrivate) for 30 s, so a hot path (a backend call, an upstream request) does not resolve its host on every
/// call.
package final class ResolutionCache: Sendable {
    private struct Entry {
        var expires: ContinuousClock.Instant
        var verdict: Result<AddressGuard.Resolution, GatewayError>
    }
    private let entries = LockedBox<[String: Entry]>([:])
    private let ttl: Duration = .seconds(30)

    package init() {}

    /// The guard's approval of `url` — the addresses it may be connected to — from the cache, or by running the guard
    /// off the cooperative pool; throws the guard's `.invalidURL` / `.forbiddenAddress` otherwise.
    @discardableResult
    package func check(_ url: String, allowPrivateNetwork: Bool, guard addressGuard: AddressGuard = AddressGuard()) async throws(GatewayError)
        -> AddressGuard.Resolution
    {
        let key = allowPrivateNetwork ? "1|" + url : "0|" + url
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[key] }), entry.expires > now { return try entry.verdict.get() }
        let verdict: Result<AddressGuard.Resolution, GatewayError>
        do throws(GatewayError) {
            verdict = .success(try await addressGuard.checkOffPool(url, allowPrivateNetwork: allowPrivateNetwork))
        } catch {
            verdict = .failure(error)
        }
        entries.withLock { dict in
            if dict.count > 10_000 { dict.removeAll() }
            dict[key] = Entry(expires: now + ttl, verdict: verdict)
        }
        return try verdict.get()
    }
}
