import Foundation
import Logging
import Synchronization

/// The signing keys of one `validate-jwt` policy: inline keys plus the identity provider's key set, fetched and
/// cached.
///
/// - Keys (and the discovery document) are fresh for 1 h; after that they are still used while one background
///   refresh runs (stale-while-revalidate), for at most 24 h when the identity provider cannot be reached.
/// - A `kid` not in the set causes one refresh, at most once per 5 min, however many unknown `kid`s arrive.
/// - After a failed fetch no new attempt is made for 30 s (except the unknown-`kid` refresh); failures are logged
///   with the URL.
/// - Concurrent callers share one fetch. Time comes from the injected clock.
final class JWKSCache: Sendable {
    static let freshFor: TimeInterval = 3600
    static let maxStale: TimeInterval = 86_400
    static let unknownKidInterval: TimeInterval = 300
    static let failureBackoff: TimeInterval = 30

    /// The outcome of a key lookup.
    enum Lookup: Sendable {
        case found(JWTVerificationKey)
        case refused(JWTKeySet.Selection)
        /// No keys could be obtained.
        case unavailable
    }

    struct Remote {
        var keys: JWTKeySet
        var fetchedAt: Date
    }

    struct Discovery {
        var jwksURI: String
        var issuer: String?
        var fetchedAt: Date
    }

    struct State {
        var inline: JWTKeySet?
        var remote: Remote?
        var discovery: Discovery?
        var lastFailure: Date?
        var lastUnknownKidRefresh: Date?
        var inFlight: Task<Void, Never>?
    }

    let settings: JWTValidationSettings
    let fetcher: any JWKSFetching
    let logger: Logger
    let now: @Sendable () -> Date
    let state = Mutex(State())

    init(settings: JWTValidationSettings, fetcher: any JWKSFetching, logger: Logger, now: @escaping @Sendable () -> Date) {
        self.settings = settings
        self.fetcher = fetcher
        self.logger = logger
        self.now = now
    }

    /// The issuer named by the discovery document, when it is usable as the expected issuer.
    var discoveredIssuer: String? { state.withLock { $0.discovery?.issuer } }

    /// Finds the key for a token's `kid` and `alg`, fetching or refreshing the key set as the rules above allow.
    func lookup(kid: String?, alg: String) async -> Lookup {
        let inline = await inlineKeys()
        guard settings.hasRemoteKeys else { return Self.outcome(inline.select(kid: kid, alg: alg)) }
        var remote = await remoteKeys()
        var selection = JWTKeySet(keys: inline.keys + (remote?.keys ?? [])).select(kid: kid, alg: alg)
        if case .unknownKey = selection, remote != nil, claimUnknownKidRefresh() {
            await refresh()
            remote = usableRemote(at: now())
            selection = JWTKeySet(keys: inline.keys + (remote?.keys ?? [])).select(kid: kid, alg: alg)
        }
        if case .key(let key) = selection { return .found(key) }
        return remote == nil ? .unavailable : .refused(selection)
    }

    private static func outcome(_ selection: JWTKeySet.Selection) -> Lookup {
        if case .key(let key) = selection { return .found(key) }
        return .refused(selection)
    }

    /// Waits for a refresh in flight, if any (tests use it after a stale-while-revalidate lookup).
    func settle() async {
        if let task = state.withLock({ $0.inFlight }) { await task.value }
    }

    private func inlineKeys() async -> JWTKeySet {
        if let keys = state.withLock({ $0.inline }) { return keys }
        var keys: [JWTVerificationKey] = []
        for text in settings.inlineKeys {
            do {
                let document = try JSONParser(maxDepth: 32).parse(text)
                keys += await JWTKeySet.build(from: document, allowSymmetric: true, source: "inline", logger: logger)
            } catch {
                logger.warning("inline signing key is not valid JSON: \(error)")
            }
        }
        let set = JWTKeySet(keys: keys)
        state.withLock { $0.inline = set }
        return set
    }

    /// The remote keys to use now: fresh ones; stale ones while a background refresh runs; or, with none usable,
    /// the result of a refresh (unless one failed in the last 30 s). The decision and the start (or join) of the
    /// refresh happen under one lock, so concurrent cold callers share one fetch.
    private func remoteKeys() async -> JWTKeySet? {
        let t = now()
        enum Plan {
            case use(JWTKeySet)
            case wait(Task<Void, Never>)
            case none
        }
        let plan: Plan = state.withLock { s in
            let backingOff = s.lastFailure.map { t.timeIntervalSince($0) < Self.failureBackoff } ?? false
            if let r = s.remote {
                let age = t.timeIntervalSince(r.fetchedAt)
                if age < Self.freshFor { return .use(r.keys) }
                if age < Self.maxStale {
                    if !backingOff { _ = runningRefresh(&s) }
                    return .use(r.keys)
                }
            }
            if let running = s.inFlight { return .wait(running) }
            return backingOff ? .none : .wait(runningRefresh(&s))
        }
        switch plan {
        case .use(let keys): return keys
        case .wait(let task):
            await task.value
            return usableRemote(at: now())
        case .none: return nil
        }
    }

    private func usableRemote(at t: Date) -> JWTKeySet? {
        state.withLock { s in
            guard let r = s.remote, t.timeIntervalSince(r.fetchedAt) < Self.maxStale else { return nil }
            return r.keys
        }
    }

    /// Records an unknown-`kid` refresh if none happened in the last 5 min.
    private func claimUnknownKidRefresh() -> Bool {
        let t = now()
        return state.withLock { s in
            if let last = s.lastUnknownKidRefresh, t.timeIntervalSince(last) < Self.unknownKidInterval { return false }
            s.lastUnknownKidRefresh = t
            return true
        }
    }

    /// The refresh in flight, started if none is; call with the lock held.
    private func runningRefresh(_ s: inout State) -> Task<Void, Never> {
        if let running = s.inFlight { return running }
        let task = Task { await self.fetchRemote() }
        s.inFlight = task
        return task
    }

    private func refresh() async {
        await state.withLock { runningRefresh(&$0) }.value
    }

    private func fetchRemote() async {
        let t = now()
        var url = settings.jwksURI ?? settings.openIDConfigURL ?? ""
        do {
            url = try await jwksURL(at: t)
            let document = try await fetcher.fetchJSON(url, allowPrivateNetwork: settings.allowPrivateNetwork)
            let keys = await JWTKeySet.build(from: document, allowSymmetric: false, source: url, logger: logger)
            guard !keys.isEmpty else { throw GatewayError(.fetchFailed, "the key set has no usable keys", location: url) }
            state.withLock { s in
                s.remote = Remote(keys: JWTKeySet(keys: keys), fetchedAt: t)
                s.lastFailure = nil
                s.inFlight = nil
            }
        } catch {
            logger.warning("cannot fetch signing keys: \(error)", metadata: ["url": "\(url)"])
            state.withLock { s in
                s.lastFailure = t
                s.inFlight = nil
            }
        }
    }
}
