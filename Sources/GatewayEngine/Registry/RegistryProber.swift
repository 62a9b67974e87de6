import Foundation
import ServiceLifecycle

/// Probes the registry's external remote entries and the gateway's HTTP upstreams: every target at start, a new or
/// changed one at once, then each on its jittered schedule (``RegistryConfiguration/probeInterval``), at most
/// ``RegistryConfiguration/probeConcurrency`` at a time. A `Service` in the engine's `ServiceGroup`; the clock is
/// injected (tests advance a manual one instead of sleeping). Probes never run on a request's path: the list endpoint
/// reads the last recorded health.
public struct RegistryProber<C: Clock>: Service where C.Duration == Duration {
    let registry: RegistryService
    let clock: C
    /// A random number in 0…1 for each jittered wait (injectable for tests).
    let random: @Sendable () -> Double

    public init(registry: RegistryService, clock: C, random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }) {
        self.registry = registry
        self.clock = clock
        self.random = random
    }

    public func run() async throws {
        let config = registry.configuration
        // A graceful shutdown cancels the loop, the wait and any probe in flight.
        await cancelWhenGracefulShutdown {
            var schedule = ProbeSchedule<C.Instant>(interval: config.probeInterval, jitter: config.probeJitter)
            while !Task.isCancelled {
                let targets = registry.probeTargets()
                let byKey = Dictionary(targets.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
                let dropped = schedule.update(byKey.mapValues(\.signature), now: clock.now)
                if !dropped.isEmpty { registry.forget(dropped) }
                if registry.takeProbeNowRequest() { schedule.makeAllDue(now: clock.now) }
                let due = schedule.takeDue(now: clock.now).compactMap { byKey[$0] }
                if !due.isEmpty {
                    await probe(due, concurrency: max(1, config.probeConcurrency))
                    for t in due { schedule.finished(t.key, signature: t.signature, now: clock.now, random: random()) }
                    continue
                }
                await waitForChange(until: schedule.nextDue)
            }
        }
    }

    /// Probes the targets, `concurrency` at a time, recording each result as it comes.
    private func probe(_ targets: [ProbeTarget], concurrency: Int) async {
        await withTaskGroup(of: (String, ProbeResult).self) { group in
            var pending = targets[...]
            func start() {
                guard let t = pending.popFirst() else { return }
                group.addTask { (t.key, await registry.probe(t)) }
            }
            for _ in 0..<concurrency { start() }
            while let (key, result) = await group.next() {
                if !Task.isCancelled { registry.record(key, result) }
                start()
            }
        }
    }

    /// Waits until `deadline` (nil: no probe is scheduled) or until the registry signals a change, whichever is
    /// first.
    private func waitForChange(until deadline: C.Instant?) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await registry.wakeup.wait() }
            if let deadline { group.addTask { try? await clock.sleep(until: deadline, tolerance: nil) } }
            await group.next()
            group.cancelAll()
        }
    }
}
