import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization
import Testing

@testable import GatewayEngine

extension OAuthClientTests {
    /// The token cache: single flight, expiry with an injected clock, errors not cached.
    @Suite("Token cache", .timeLimit(.minutes(1)))
    struct TokenCacheTests {
        /// A gate fetches wait on until the test opens it.
        final class Gate: Sendable {
            let stream: AsyncStream<Void>
            let continuation: AsyncStream<Void>.Continuation
            init() { (stream, continuation) = AsyncStream.makeStream(of: Void.self) }
            func wait() async { for await _ in stream {} }
            func open() { continuation.finish() }
        }

        final class Clock: Sendable {
            let date = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
            func now() -> Date { date.withLock { $0 } }
            func advance(_ seconds: TimeInterval) { date.withLock { $0 += seconds } }
        }

        struct Boom: Error, Equatable {}

        /// Runs `count` concurrent `token(for:)` calls, opens the gate once every one of them is inside the cache
        /// (answered, joined or started a fetch), and returns their results.
        static func concurrent(
            _ cache: TokenCache, key: String, count: Int, gate: Gate, fetch: @escaping @Sendable () async throws -> OAuthTokens
        ) async -> [Result<String, any Error>] {
            let before = cache.calls
            return await withTaskGroup(of: Result<String, any Error>.self) { group in
                for _ in 0..<count {
                    group.addTask {
                        do { return .success(try await cache.token(for: key, fetch: fetch).accessToken.unmasked) } catch { return .failure(error) }
                    }
                }
                while cache.calls < before + count { await Task.yield() }
                gate.open()
                var results: [Result<String, any Error>] = []
                for await result in group { results.append(result) }
                return results
            }
        }

        @Test("100 concurrent callers on a cold key: one fetch, one token for all")
        func singleFlightCold() async throws {
            let cache = TokenCache()
            let fetches = Atomic<Int>(0)
            let gate = Gate()
            let results = await Self.concurrent(cache, key: "k", count: 100, gate: gate) {
                let n = fetches.add(1, ordering: .relaxed).newValue
                await gate.wait()
                return OAuthTokens(accessToken: SecretValue("token-\(n)"), expiresAt: Date().addingTimeInterval(3600))
            }
            #expect(fetches.load(ordering: .relaxed) == 1)
            #expect(results.count == 100)
            #expect(results.allSatisfy { (try? $0.get()) == "token-1" })
            // Cached afterwards; other keys are separate.
            #expect(try await cache.token(for: "k") { throw Boom() }.accessToken.unmasked == "token-1")
            #expect(try await cache.token(for: "other") { OAuthTokens(accessToken: SecretValue("o")) }.accessToken.unmasked == "o")
        }

        @Test("expiry with an injected clock: cached until expiresAt - margin, then one refetch for 100 callers")
        func expiry() async throws {
            let clock = Clock()
            let cache = TokenCache(refreshMargin: .seconds(60), now: { clock.now() })
            let fetches = Atomic<Int>(0)
            let fetch: @Sendable () async throws -> OAuthTokens = {
                let n = fetches.add(1, ordering: .relaxed).newValue
                return OAuthTokens(accessToken: SecretValue("t\(n)"), expiresAt: clock.now().addingTimeInterval(120))
            }
            #expect(try await cache.token(for: "k", fetch: fetch).accessToken.unmasked == "t1")
            clock.advance(59)
            #expect(try await cache.token(for: "k", fetch: fetch).accessToken.unmasked == "t1")
            #expect(fetches.load(ordering: .relaxed) == 1)
            clock.advance(1) // now exactly expiresAt - margin: due
            let gate = Gate()
            let results = await Self.concurrent(cache, key: "k", count: 100, gate: gate) {
                await gate.wait()
                return try await fetch()
            }
            #expect(fetches.load(ordering: .relaxed) == 2)
            #expect(results.allSatisfy { (try? $0.get()) == "t2" })
            #expect(try await cache.token(for: "k", fetch: fetch).accessToken.unmasked == "t2")
            #expect(fetches.load(ordering: .relaxed) == 2)
        }

        @Test("tokens without expiry stay until invalidated")
        func noExpiry() async throws {
            let clock = Clock()
            let cache = TokenCache(now: { clock.now() })
            let fetches = Atomic<Int>(0)
            let fetch: @Sendable () async throws -> OAuthTokens = {
                OAuthTokens(accessToken: SecretValue("t\(fetches.add(1, ordering: .relaxed).newValue)"))
            }
            #expect(try await cache.token(for: "k", fetch: fetch).accessToken.unmasked == "t1")
            clock.advance(365 * 86_400)
            #expect(try await cache.token(for: "k", fetch: fetch).accessToken.unmasked == "t1")
            cache.invalidate("k")
            #expect(try await cache.token(for: "k", fetch: fetch).accessToken.unmasked == "t2")
        }

        @Test("a failed fetch reaches every waiter and is not cached")
        func errorsNotCached() async throws {
            let cache = TokenCache()
            let fetches = Atomic<Int>(0)
            let gate = Gate()
            let results = await Self.concurrent(cache, key: "k", count: 100, gate: gate) {
                fetches.add(1, ordering: .relaxed)
                await gate.wait()
                throw Boom()
            }
            #expect(fetches.load(ordering: .relaxed) == 1)
            #expect(results.allSatisfy { if case .failure(let e) = $0 { e is Boom } else { false } })
            #expect(try await cache.token(for: "k") { OAuthTokens(accessToken: SecretValue("ok")) }.accessToken.unmasked == "ok")
        }

        @Test("with the real client: 50 concurrent callers cost one client-credentials grant")
        func withAuthorizationServer() async throws {
            let auth = try await TestAuthorizationServer.start(clients: ["cid": "csecret"])
            defer { auth.stop() }
            let e = try OAuthEndpoints(tokenURL: auth.tokenURL, clientID: "cid", allowPrivateNetwork: true)
            let client = OAuthClient(http: OAuthClientTests.http)
            let cache = TokenCache()
            let gate = Gate()
            let results = await Self.concurrent(cache, key: "conn", count: 50, gate: gate) {
                await gate.wait()
                return try await client.clientCredentials(e, clientSecret: SecretValue("csecret"))
            }
            #expect(auth.issued(grant: "client_credentials") == 1)
            let token = try #require(try results.first?.get())
            #expect(results.allSatisfy { (try? $0.get()) == token })
            #expect(auth.isValid(accessToken: token))
        }
    }
}
