/// A clock reduced to what a connection's timers need: "now" as an offset from when it was
/// made, and sleeping until such an offset. Lets the client and the hub server take any
/// `Clock<Duration>` (tests pass a manual clock) without making their types generic.
package struct ErasedClock: Sendable {
    private let nowOffset: @Sendable () -> Duration
    private let sleepUntil: @Sendable (Duration) async throws -> Void

    package init<C: Clock & Sendable>(_ clock: C) where C.Duration == Duration {
        let origin = clock.now
        self.nowOffset = { origin.duration(to: clock.now) }
        self.sleepUntil = { offset in try await clock.sleep(until: origin.advanced(by: offset), tolerance: nil) }
    }

    /// The time since this value was made.
    package var now: Duration { nowOffset() }

    /// Sleeps until ``now`` reaches `deadline`.
    /// - Throws: `CancellationError` when the task is cancelled.
    package func sleep(until deadline: Duration) async throws {
        try await sleepUntil(deadline)
    }
}
