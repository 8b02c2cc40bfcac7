import SignalRProtocol

/// Tells the uploads of one call that the call has ended.
///
/// `end()` may come from any task, before or after the uploads start waiting; it wakes
/// every waiter once. A waiting task that is cancelled stops waiting too.
final class CallEndSignal: Sendable {
    private struct State {
        var ended = false
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    private let state = Locked(State())

    /// Marks the call as ended and wakes the waiters.
    func end() {
        let waiters: [CheckedContinuation<Void, Never>] = state.withLock { state in
            state.ended = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        waiters.forEach { $0.resume() }
    }

    /// Returns once the call has ended or the calling task is cancelled.
    func wait() async {
        let id: Int = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready: Bool = state.withLock { state in
                    if state.ended || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
