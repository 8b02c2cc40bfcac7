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
        beginCall(.invocation(waiter), uploads: uploads)
    }

    /// Registers `call` under the next invocation id, after `uploads` upload stream ids.
    private mutating func beginCall(_ call: PendingCall, uploads: Int) -> (transport: TransportLink, id: String, streamIds: [String])? {
        guard case .connected = state else { return nil }
        let streamIds = uploads == 0 ? [] : (0..<uploads).map { String(nextInvocationId + $0) }
        nextInvocationId += uploads
        let id = String(nextInvocationId)
        nextInvocationId += 1
        return modifyConnected { connected in
            connected.pending[id] = call
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

    /// A write on transport `generation` failed with `error`; the actor closes the transport.
    /// The error is the connection's end reason only if the transport then closes cleanly: a
    /// transport that ends with its own error (a poll answered 404, an unclean WebSocket
    /// close) explains more, and a write often fails only because the transport is already
    /// going. A connection already ending keeps its reason.
    mutating func writeFailed(generation: Int, error: SignalRError) {
        _ = modifyConnected(generation: generation) { connected in
            if connected.writeFailure == nil { connected.writeFailure = error }
        }
    }

    /// Forgets an invocation whose message could not be sent.
    mutating func removeInvocation(_ id: String) {
        _ = modifyConnected { $0.pending[id] = nil }
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

    /// A Completion arrived: the call it ends (an invocation or a stream), if pending.
    ///
    /// Not inside a `switch state`: the switch would hold a second reference to the table while
    /// it changes, and every Completion would copy it (measured: one allocation and a copy of
    /// all pending calls per call).
    mutating func completionReceived(generation: Int, invocationId: String) -> PendingCall? {
        if case .connected = state {
            return modifyConnected(generation: generation) { $0.pending.removeValue(forKey: invocationId) } ?? nil
        }
        return modifyDisconnecting(generation: generation) { $0.pending.removeValue(forKey: invocationId) } ?? nil
    }

    /// ``modifyConnected(generation:_:)`` for the disconnecting state.
    private mutating func modifyDisconnecting<Result>(generation: Int? = nil, _ body: (inout Disconnecting) -> Result) -> Result? {
        guard case .disconnecting(var disconnecting) = state,
            generation == nil || disconnecting.transport.generation == generation
        else { return nil }
        state = .disconnected(nil)
        defer { state = .disconnecting(disconnecting) }
        return body(&disconnecting)
    }

    // MARK: Streams

    /// Registers a server-to-client stream with `uploads` upload streams. Returns the
    /// transport, the stream's invocation id and the upload ids (taken first, as the official
    /// client does), or nil when not connected.
    mutating func beginStream(_ channel: StreamChannel, uploads: Int) -> (transport: TransportLink, id: String, streamIds: [String])? {
        beginCall(.stream(channel), uploads: uploads)
    }

    /// The channel of pending stream `id`.
    func stream(_ id: String) -> StreamChannel? {
        let call: PendingCall?
        switch state {
        case .connected(let connected): call = connected.pending[id]
        case .disconnecting(let disconnecting): call = disconnecting.pending[id]
        default: call = nil
        }
        guard case .stream(let channel) = call else { return nil }
        return channel
    }

    /// Removes pending stream `id` (its consumer left, or its StreamInvocation could not be
    /// sent). Returns its channel, or nil when it already ended.
    mutating func removeStream(_ id: String) -> StreamChannel? {
        guard stream(id) != nil else { return nil }
        let removed: PendingCall?
        if case .connected = state {
            removed = modifyConnected { $0.pending.removeValue(forKey: id) } ?? nil
        } else {
            removed = modifyDisconnecting { $0.pending.removeValue(forKey: id) } ?? nil
        }
        guard case .stream(let channel) = removed else { return nil }
        return channel
    }

    /// The pending streams, by invocation id.
    var streams: [(id: String, channel: StreamChannel)] {
        let pending: [String: PendingCall]
        switch state {
        case .connected(let connected): pending = connected.pending
        case .disconnecting(let disconnecting): pending = disconnecting.pending
        default: return []
        }
        return pending.compactMap { id, call in
            guard case .stream(let channel) = call else { return nil }
            return (id, channel)
        }
    }
}
