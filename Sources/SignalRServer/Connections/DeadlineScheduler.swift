import HeapModule
import NIOConcurrencyHelpers
import SignalRProtocol

/// Wakes the connections of one hub at their timer deadlines, with one task for all of them.
///
/// A connection's owner task waits on its own ``WakeSignal`` without a deadline (no child
/// task) and asks to be woken here at its next deadline (keep-alive, client timeout, handshake,
/// disconnect). Without this, every connection would keep a child task asleep on the clock:
/// about 2.5 KiB each, most of what separates an idle hub connection from a bare WebSocket.
/// A wake that comes for a deadline the connection has moved since is harmless: the owner
/// asks its state machine what is due, finds nothing, and sleeps again.
final class DeadlineScheduler: Sendable {
    private struct Entry: Comparable {
        let deadline: Duration
        /// Keeps entries with one deadline in the order they came.
        let order: UInt64
        let signal: WakeSignal

        static func < (lhs: Entry, rhs: Entry) -> Bool {
            (lhs.deadline, lhs.order) < (rhs.deadline, rhs.order)
        }

        static func == (lhs: Entry, rhs: Entry) -> Bool {
            lhs.deadline == rhs.deadline && lhs.order == rhs.order
        }
    }

    private struct State {
        var entries = Heap<Entry>()
        var nextOrder: UInt64 = 0
        var finished = false
    }

    private let clock: ErasedClock
    private let state = NIOLockedValueBox(State())
    /// Wakes the scheduler's own loop when a deadline earlier than every other one came.
    private let loopWake = WakeSignal()

    init(clock: ErasedClock) {
        self.clock = clock
    }

    /// Wakes `signal` once the clock reaches `deadline` (at once when it has).
    func wake(_ signal: WakeSignal, at deadline: Duration) {
        let earliest = state.withLockedValue { state -> Bool? in
            guard !state.finished else { return nil }
            let earliest = state.entries.min.map { deadline < $0.deadline } ?? true
            state.entries.insert(Entry(deadline: deadline, order: state.nextOrder, signal: signal))
            state.nextOrder &+= 1
            return earliest
        }
        switch earliest {
        case nil: signal.wake()
        case true?: loopWake.wake()
        case false?: break
        }
    }

    /// Wakes what is due, then sleeps until the next deadline or an earlier one comes, until
    /// ``finish()`` or cancellation; wakes every waiting signal then.
    func run() async {
        while !Task.isCancelled {
            let now = clock.now
            let (due, next, finished) = state.withLockedValue { state -> ([WakeSignal], Duration?, Bool) in
                var due: [WakeSignal] = []
                while let first = state.entries.min, state.finished || first.deadline <= now {
                    due.append(state.entries.removeMin().signal)
                }
                return (due, state.entries.min?.deadline, state.finished)
            }
            due.forEach { $0.wake() }
            if finished { return }
            await loopWake.sleep(until: next, on: clock)
        }
        finish()
        let left = state.withLockedValue { state -> [WakeSignal] in
            defer { state.entries = Heap() }
            return state.entries.unordered.map(\.signal)
        }
        left.forEach { $0.wake() }
    }

    /// No more deadlines: ``run()`` wakes what waits and returns; later ``wake(_:at:)`` calls
    /// wake their signal at once.
    func finish() {
        state.withLockedValue { $0.finished = true }
        loopWake.wake()
    }
}
