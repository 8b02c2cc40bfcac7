import Histogram
import NIOConcurrencyHelpers

/// What the connections and calls of a run did, recorded from every task at once.
///
/// One lock guards it all: a recording is a few additions and a histogram bucket, far
/// cheaper than the call it records.
final class BenchRecorder: Sendable {
    struct State {
        var attempted = 0
        var connected = 0
        var failedConnections: [String: Int] = [:]
        var reconnecting = 0
        var reconnects = 0
        var closed = 0
        var callsOK = 0
        var callsFailed: [String: Int] = [:]
        var items = 0
        var sent = 0
        /// Latencies in µs over the whole run, and since the last progress line.
        var latency = BenchRecorder.makeHistogram()
        var interval = BenchRecorder.makeHistogram()
        var intervalCalls = 0
        /// Waiting for ``callsOK`` to reach a count.
        var callWaiter: (count: Int, continuation: CheckedContinuation<Void, Never>)?
    }

    private let state = NIOLockedValueBox(State())

    static func makeHistogram() -> Histogram<UInt64> {
        Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    }

    func connectionAttempted() { state.withLockedValue { $0.attempted += 1 } }
    func connected() { state.withLockedValue { $0.connected += 1 } }
    func connectionFailed(_ reason: String) { state.withLockedValue { $0.failedConnections[reason, default: 0] += 1 } }
    func reconnecting() {
        state.withLockedValue { $0.reconnecting += 1 }
    }
    func reconnected() {
        state.withLockedValue {
            $0.reconnecting -= 1
            $0.reconnects += 1
        }
    }
    func closed(wasReconnecting: Bool) {
        state.withLockedValue {
            $0.closed += 1
            if wasReconnecting { $0.reconnecting -= 1 }
        }
    }

    /// A call (an invoke, a stream, a broadcast's arrival) that took `microseconds` (nil: unknown).
    func callSucceeded(microseconds: UInt64?, items: Int = 0) {
        let reached: CheckedContinuation<Void, Never>? = state.withLockedValue { state in
            state.callsOK += 1
            defer {
                if let waiter = state.callWaiter, state.callsOK >= waiter.count { state.callWaiter = nil }
            }
            state.intervalCalls += 1
            state.items += items
            if let microseconds {
                state.latency.record(max(1, microseconds))
                state.interval.record(max(1, microseconds))
            }
            guard let waiter = state.callWaiter, state.callsOK >= waiter.count else { return nil }
            return waiter.continuation
        }
        reached?.resume()
    }

    /// Returns once `count` calls succeeded (one waiter at a time; bound it with a timeout and
    /// ``releaseCallWaiter()``).
    func waitForCalls(_ count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLockedValue { state in
                if state.callsOK >= count { return true }
                state.callWaiter = (count, continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Releases a ``waitForCalls(_:)`` that is still waiting.
    func releaseCallWaiter() {
        let waiter = state.withLockedValue { state in
            defer { state.callWaiter = nil }
            return state.callWaiter?.continuation
        }
        waiter?.resume()
    }

    func callFailed(_ reason: String) {
        state.withLockedValue { $0.callsFailed[reason, default: 0] += 1 }
    }

    /// A broadcast the sending connection sent.
    func broadcastSent() { state.withLockedValue { $0.sent += 1 } }

    func snapshot() -> State { state.withLockedValue { $0 } }

    /// The calls and latencies since the last call of this method, for a progress line.
    func takeInterval() -> (calls: Int, histogram: Histogram<UInt64>) {
        state.withLockedValue { state in
            defer {
                state.interval = Self.makeHistogram()
                state.intervalCalls = 0
            }
            return (state.intervalCalls, state.interval)
        }
    }
}
