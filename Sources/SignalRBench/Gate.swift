import NIOConcurrencyHelpers

/// Opens once; everyone waiting, or arriving later, then goes on.
final class Gate: Sendable {
    private let state = NIOLockedValueBox((open: false, waiters: [CheckedContinuation<Void, Never>]()))

    func open() {
        let waiters = state.withLockedValue { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    var isOpen: Bool { state.withLockedValue { $0.open } }

    /// Returns once the gate is open (not cancellable: open it to release waiters).
    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let open = state.withLockedValue { state in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if open { continuation.resume() }
        }
    }
}

/// Opens `gate` once as many arrivals came as ``expect(_:)`` named (the count may be named
/// after some have arrived): "every connection was tried".
final class CountdownGate: Sendable {
    let gate: Gate
    private let counts = NIOLockedValueBox((arrived: 0, expected: Int?.none))

    init(opening gate: Gate) { self.gate = gate }

    func arrive() {
        if counts.withLockedValue({ counts in
            counts.arrived += 1
            return counts.expected.map { counts.arrived >= $0 } ?? false
        }) { gate.open() }
    }

    func expect(_ count: Int) {
        if counts.withLockedValue({ counts in
            counts.expected = count
            return counts.arrived >= count
        }) { gate.open() }
    }
}
