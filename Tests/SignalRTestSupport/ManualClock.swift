import Foundation

/// A clock that only moves when a test calls ``advance(by:)``.
/// Sleepers register their deadline; tests wait for them with ``waitForSleeper(until:)``.
public final class ManualClock: Clock, @unchecked Sendable {
    // @unchecked Sendable: all mutable state is behind `lock`.
    public struct Instant: InstantProtocol {
        public var offset: Duration
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private struct Sleeper {
        let id: Int
        let deadline: Instant
        let continuation: CheckedContinuation<Void, any Error>
    }

    private let lock = NSLock()

    /// A clock at offset zero.
    public init() {}
    private var current = Instant(offset: .zero)
    private var sleepers: [Sleeper] = []
    private var nextId = 0
    /// Callers of ``waitForSleeper(until:)``: an id, the deadline each waits for, its continuation.
    private var sleeperWaiters: [(id: Int, deadline: Duration, continuation: CheckedContinuation<Void, Never>)] = []

    public var now: Instant { lock.withLock { current } }
    public var minimumResolution: Duration { .zero }

    public func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        let id = lock.withLock { () -> Int in
            nextId += 1
            return nextId
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let (resumeNow, waiters) = lock.withLock { () -> (Bool?, [CheckedContinuation<Void, Never>]) in
                    // Cancelled before this registered: the cancellation handler found no
                    // sleeper to end, so end here (nil) rather than sleep forever.
                    if Task.isCancelled { return (nil, []) }
                    if deadline <= current { return (true, []) }
                    sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    let waiting = sleeperWaiters.filter { $0.deadline == deadline.offset }
                    sleeperWaiters.removeAll { $0.deadline == deadline.offset }
                    return (false, waiting.map(\.continuation))
                }
                switch resumeNow {
                case nil: continuation.resume(throwing: CancellationError())
                case true: continuation.resume()
                case false: break
                }
                waiters.forEach { $0.resume() }
            }
        } onCancel: {
            let sleeper = lock.withLock { () -> Sleeper? in
                guard let index = sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward and wakes the sleepers that are due.
    public func advance(by duration: Duration) {
        let due = lock.withLock { () -> [Sleeper] in
            current = current.advanced(by: duration)
            let due = sleepers.filter { $0.deadline <= current }
            sleepers.removeAll { $0.deadline <= current }
            return due
        }
        due.forEach { $0.continuation.resume() }
    }

    /// The deadlines of the current sleepers, as offsets.
    public var sleeperDeadlines: [Duration] { lock.withLock { sleepers.map(\.deadline.offset) } }

    /// Returns once someone sleeps until `deadline` (at once if someone does already); bound it
    /// with the caller's timeout, whose cancellation ends the wait with `CancellationError`.
    public func waitForSleeper(until deadline: Duration) async throws {
        let id = lock.withLock { () -> Int in
            nextId += 1
            return nextId
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready: Bool = lock.withLock {
                    if sleepers.contains(where: { $0.deadline.offset == deadline }) || Task.isCancelled { return true }
                    sleeperWaiters.append((id, deadline, continuation))
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let waiter = lock.withLock { () -> CheckedContinuation<Void, Never>? in
                guard let index = sleeperWaiters.firstIndex(where: { $0.id == id }) else { return nil }
                return sleeperWaiters.remove(at: index).continuation
            }
            waiter?.resume()
        }
        try Task.checkCancellation()
    }
}
