/// Counts of what a ``HubServer`` has seen since it was created (kept across restarts).
public struct ServerCounters: Sendable, Equatable {
    /// Negotiate requests received (refused and redirected ones included).
    public var negotiateRequests = 0
    /// Connections created (by negotiate, or by a WebSocket request without `id`).
    public var connectionsCreated = 0
    /// Connections that completed the handshake.
    public var handshakesCompleted = 0
    /// Connections not yet closed.
    public var openConnections = 0
    /// Transport requests per transport (WebSocket upgrades, SSE streams, polls).
    public var transportRequests: [TransportKind: Int] = [:]
    /// Stateful reconnects: a transport that resumed an existing connection after a drop.
    public var statefulReconnects = 0

    /// Creates zero counters.
    public init() {}
}

/// The mutable counters, shared by all endpoints of a server.
actor CounterStore {
    private(set) var counters = ServerCounters()
    /// Callers of ``waitUntil(_:)`` whose condition did not hold yet.
    private var waiters: [(condition: @Sendable (ServerCounters) -> Bool, continuation: CheckedContinuation<Void, Never>)] = []

    func update(_ change: @Sendable (inout ServerCounters) -> Void) {
        change(&counters)
        guard !waiters.isEmpty else { return }
        let counters = counters
        var waiting: [(condition: @Sendable (ServerCounters) -> Bool, continuation: CheckedContinuation<Void, Never>)] = []
        for waiter in waiters {
            if waiter.condition(counters) { waiter.continuation.resume() } else { waiting.append(waiter) }
        }
        waiters = waiting
    }

    /// Returns once the counters satisfy `condition` (checked now and after each update).
    func waitUntil(_ condition: @escaping @Sendable (ServerCounters) -> Bool) async {
        if condition(counters) { return }
        await withCheckedContinuation { waiters.append((condition, $0)) }
    }
}
