import NIOConcurrencyHelpers

/// The work of one connection (invocations, streams, deferred receives) that its owner task
/// (``ServerConnection/run()``) starts as its children.
///
/// The actor submits work from synchronous code; the owner, which also runs the connection's
/// timers, wakes on the same ``WakeSignal`` for new work and for a due deadline, and adds the
/// work to its task group. One task per connection does both, where a spawner of its own
/// would be a second task, asleep for the connection's whole life.
final class ConnectionJobs: WorkSpawner {
    private struct State {
        var pending: [TaskSpawner.Work] = []
        var finished = false
    }

    private let state = NIOLockedValueBox(State())
    /// The owner's wake-up: new work, a deadline (``DeadlineScheduler``), the connection's end.
    let ownerWake: WakeSignal

    init(ownerWake: WakeSignal) {
        self.ownerWake = ownerWake
    }

    @discardableResult
    func spawn(_ work: @escaping TaskSpawner.Work) -> Bool {
        let accepted = state.withLockedValue { state -> Bool in
            guard !state.finished else { return false }
            state.pending.append(work)
            return true
        }
        if accepted { ownerWake.wake() }
        return accepted
    }

    /// The work submitted since the last call, in order, for the owner to start.
    func take() -> [TaskSpawner.Work] {
        state.withLockedValue { state in
            defer { state.pending = [] }
            return state.pending
        }
    }

    /// Whether ``finish()`` was called (the connection closed).
    var isFinished: Bool {
        state.withLockedValue { $0.finished }
    }

    /// Accepts no more work; what was accepted before stays for ``take()``. The owner still
    /// starts it, so a connection that closes in the same turn as it queued work (a handshake
    /// and a Close in one frame queue OnConnected, then close) runs OnConnected before
    /// OnDisconnected, invocations that arrived before a Close run, and what a job awaits (a
    /// stream's task) is awaited before the connection ends. When the server stops, the owner
    /// cancels it instead, and the serial invocation queue drops the items it finds cancelled.
    func finish() {
        state.withLockedValue { $0.finished = true }
        ownerWake.wake()
    }
}
