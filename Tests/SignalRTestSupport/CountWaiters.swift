import NIOConcurrencyHelpers

/// A running count that callers can await: "return once N have happened", woken as the count
/// grows. The total is kept, so a wait that starts after the count it needs returns at once. A
/// cancelled waiter (the caller's timeout) returns at once.
public final class CountWaiters: Sendable {
    private struct State {
        var total = 0
        var nextId = 0
        var waiters: [(id: Int, count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = NIOLockedValueBox(State())

    /// Creates a count at zero.
    public init() {}

    /// The count now.
    public var total: Int { state.withLockedValue { $0.total } }

    /// Returns once the count is at least `count`.
    public func wait(for count: Int) async {
        let id = state.withLockedValue { state in
            defer { state.nextId += 1 }
            return state.nextId
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLockedValue { state in
                    if state.total >= count || Task.isCancelled { return true }
                    state.waiters.append((id, count, continuation))
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLockedValue { state in
                state.waiters.firstIndex { $0.id == id }.map { state.waiters.remove(at: $0) }
            }
            waiter?.continuation.resume()
        }
    }

    /// The count is `total` now: wakes whoever waited for as many.
    public func reached(_ total: Int) {
        let ready = state.withLockedValue { state in
            state.total = total
            let ready = state.waiters.filter { $0.count <= total }
            state.waiters.removeAll { $0.count <= total }
            return ready
        }
        ready.forEach { $0.continuation.resume() }
    }

    /// Adds one to the count; returns the new count.
    @discardableResult
    public func increment() -> Int {
        let total = state.withLockedValue { $0.total + 1 }
        reached(total)
        return total
    }
}
