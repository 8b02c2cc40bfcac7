import SignalRProtocol

/// Invocations and traffic bookkeeping in ``HubConnectionStateMachine``: ids, pending calls,
/// the keep-alive and server-timeout clocks of the current link.
extension HubConnectionStateMachine {
    /// Runs `body` on the connected state (of transport `generation`, when given) and returns
    /// its result, or nil when not connected.
    ///
    /// The state is taken out first, leaving a placeholder that nothing outside the machine
    /// ever sees, so the pending-call table and the stateful buffer are uniquely referenced
    /// while `body` changes them: Swift then changes them in place instead of copying them
    /// on every call (async-http-client's `.modifying` state does the same).
    mutating func modifyConnected<Result>(generation: Int? = nil, _ body: (inout Connected) -> Result) -> Result? {
        guard case .connected(var connected) = state, generation == nil || connected.transport.generation == generation else {
            return nil
        }
        state = .disconnected(nil)
        defer { state = .connected(connected) }
        return body(&connected)
    }

    /// Registers an invocation with `uploads` upload streams. Returns the link, the call's id
    /// and the stream ids (taken first, as the official client does), or nil when not connected.
    mutating func beginInvocation(_ waiter: InvocationWaiter, uploads: Int = 0) -> (transport: TransportLink, id: String, streamIds: [String])? {
        guard case .connected = state else { return nil }
        let streamIds = uploads == 0 ? [] : (0..<uploads).map { String(nextInvocationId + $0) }
        nextInvocationId += uploads
        let id = String(nextInvocationId)
        nextInvocationId += 1
        return modifyConnected { connected in
            connected.invocations[id] = waiter
            return (connected.transport, id, streamIds)
        }
    }

    /// Takes `count` ids from the invocation id counter (upload stream ids, a stream's id),
    /// when connected. Returns them with the transport to send on.
    mutating func reserveInvocationIds(_ count: Int) -> (TransportLink, [String])? {
        guard case .connected(let connected) = state else { return nil }
        let ids = (0..<count).map { String(nextInvocationId + $0) }
        nextInvocationId += count
        return (connected.transport, ids)
    }

    /// Forgets an invocation whose message could not be sent.
    mutating func removeInvocation(_ id: String) {
        _ = modifyConnected { $0.invocations[id] = nil }
    }

    /// The transport to send on, or nil when not connected.
    func transportForSending() -> TransportLink? {
        guard case .connected(let connected) = state else { return nil }
        return connected.transport
    }

    /// Something was sent at `now`: the keep-alive restarts.
    mutating func messageSent(generation: Int, now: Duration) {
        _ = updateTimers(generation) { $0.sent(now: now) }
    }

    /// Data arrived at `now`. Returns whether messages of `generation` should be handled.
    mutating func dataReceived(generation: Int, now: Duration) -> Bool {
        updateTimers(generation) { $0.received(now: now) } && startFailure(generation: generation) == nil
    }

    /// Applies `body` to the timers of connection `generation`. False: it is not the current one.
    private mutating func updateTimers(_ generation: Int, _ body: (inout ConnectionTimers) -> Void) -> Bool {
        switch state {
        case .connecting(var connecting) where connecting.generation == generation:
            if var timers = connecting.timers {
                body(&timers)
                connecting.timers = timers
            }
            state = .connecting(connecting)
            return true
        case .connected:
            return modifyConnected(generation: generation) { body(&$0.timers) } != nil
        default:
            return false
        }
    }

    /// A Completion arrived: the waiter it completes, if the invocation is pending.
    mutating func completionReceived(generation: Int, invocationId: String) -> InvocationWaiter? {
        switch state {
        case .connected:
            return modifyConnected(generation: generation) { $0.invocations.removeValue(forKey: invocationId) } ?? nil
        case .disconnecting(var disconnecting) where disconnecting.transport.generation == generation:
            let waiter = disconnecting.invocations.removeValue(forKey: invocationId)
            state = .disconnecting(disconnecting)
            return waiter
        default:
            return nil
        }
    }
}
