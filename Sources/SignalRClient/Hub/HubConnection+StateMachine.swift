import SignalRProtocol

/// The life cycle of a ``HubConnection``: every state change happens here.
///
/// A struct around a `State` whose cases carry their data (the pending calls live in
/// `connected`). Events are `mutating` methods that return `Equatable` actions; the actor
/// carries them out. The machine holds no live object but the pending calls' waiters: it
/// never resumes a continuation or touches a transport, and names transports by their
/// `generation`, so late events from an earlier transport are ignored.
///
/// `state` is internal rather than private only so that the machine's own extensions in
/// other files (`+Reconnect`, `+Stateful`, `+Invocations`) can move it; nothing outside the
/// machine touches it.
struct HubConnectionStateMachine {
    enum State {
        /// Not connected: with the error that ended the last connection or start, if any.
        case disconnected(SignalRError?)
        case connecting(Connecting)
        case connected(Connected)
        case disconnecting(Disconnecting)
        /// Automatic reconnect waits before its next attempt (an attempt itself is `connecting`
        /// with `reconnect` set).
        case reconnecting(Reconnecting)
    }

    var state: State = .disconnected(nil)
    var nextGeneration = 0
    /// Asked after a loss and after each failed reconnect attempt; nil: a loss is final.
    let retryPolicy: (any RetryPolicy)?
    var nextReconnectId = 0
    /// Invocation ids: decimal strings from one counter starting at "0".
    var nextInvocationId = 0

    init(retryPolicy: (any RetryPolicy)? = nil) {
        self.retryPolicy = retryPolicy
    }

    /// The public state.
    var publicState: HubConnectionState {
        switch state {
        case .disconnected: return .disconnected
        case .connecting(let connecting): return connecting.reconnect == nil ? .connecting : .reconnecting
        case .connected: return .connected
        case .disconnecting: return .disconnecting
        case .reconnecting: return .reconnecting
        }
    }

    /// The public state with what belongs to it (``HubConnection/stateChanges``). A reconnect
    /// run reports the error of the loss for all its attempts.
    var stateChange: HubConnectionStateChange {
        switch state {
        case .disconnected(let error): return .disconnected(error)
        case .connecting(let connecting):
            guard let reconnect = connecting.reconnect else { return .connecting }
            return .reconnecting(reconnect.cause)
        case .connected(let connected): return .connected(connectionId: connected.transport.connectionId)
        case .disconnecting: return .disconnecting
        case .reconnecting(let reconnecting): return .reconnecting(reconnecting.progress.cause)
        }
    }

    /// The current transport, once one is open.
    var currentTransport: TransportLink? {
        switch state {
        case .connecting(let connecting): return connecting.transport
        case .connected(let connected): return connected.transport
        case .disconnecting(let disconnecting): return disconnecting.transport
        case .disconnected, .reconnecting: return nil
        }
    }

    /// The connection id of the current connection, once the transport is open.
    var connectionId: String? { currentTransport?.connectionId }

    /// Whether `generation` is the current transport (or start attempt).
    func isCurrent(_ generation: Int) -> Bool {
        if case .connecting(let connecting) = state { return connecting.generation == generation }
        return currentTransport?.generation == generation
    }

    // MARK: Start

    mutating func start() -> StartAction {
        guard case .disconnected = state else {
            return .fail("Cannot start a HubConnection that is not in the 'Disconnected' state.")
        }
        nextGeneration += 1
        state = .connecting(Connecting(generation: nextGeneration))
        return .connect(generation: nextGeneration)
    }

    /// The transport of start attempt `transport.generation` is open. Nil: go on with the
    /// handshake; otherwise start fails with it.
    mutating func transportOpened(_ transport: TransportLink, timers: ConnectionTimers) -> SignalRError? {
        guard case .connecting(var connecting) = state, connecting.generation == transport.generation else {
            return SignalRError(.canceled, "The connection was stopped during negotiation.")
        }
        if let failure = connecting.failure { return failure }
        connecting.transport = transport
        connecting.timers = timers
        state = .connecting(connecting)
        return nil
    }

    /// start() is about to wait for the handshake. Returns an error to fail it with at once.
    func awaitHandshake(generation: Int) -> SignalRError? {
        guard case .connecting(let connecting) = state, connecting.generation == generation else {
            return SignalRError.invocationCanceledByClose
        }
        return connecting.failure
    }

    /// The handshake response arrived (`error` nil on success) or could not be read.
    mutating func handshakeReceived(generation: Int, error: SignalRError?, now: Duration) -> HandshakeAction {
        guard case .connecting(var connecting) = state, connecting.generation == generation,
            !connecting.handshakeCompleted, connecting.failure == nil
        else { return .ignore }
        if let error {
            connecting.failure = error
            state = .connecting(connecting)
            return .rejected(error)
        }
        connecting.handshakeCompleted = true
        connecting.timers?.handshakeCompleted(now: now)
        state = .connecting(connecting)
        return .succeeded
    }

    /// The failure recorded for a start in progress (stop, transport closed, handshake error).
    func startFailure(generation: Int) -> SignalRError? {
        guard case .connecting(let connecting) = state, connecting.generation == generation else { return nil }
        return connecting.failure
    }

    /// The handshake and first Ping are done: connected, unless something failed meanwhile.
    mutating func startCompleted(generation: Int) -> StartCompletedAction {
        guard case .connecting(let connecting) = state, connecting.generation == generation,
            let transport = connecting.transport, let timers = connecting.timers
        else { return .fail(SignalRError.invocationCanceledByClose) }
        if let failure = connecting.failure { return .fail(failure) }
        guard connecting.handshakeCompleted else {
            return .fail(SignalRError(.protocolError, "The hub handshake did not complete."))
        }
        state = .connected(Connected(transport: transport, timers: timers, stateful: connecting.stateful))
        return .connected(transport)
    }

    /// start() failed (negotiation, transport or handshake) and cleaned up: back to
    /// disconnected. Returns the error start throws (stop's reason wins); the actor then
    /// resumes the stop() calls that waited.
    mutating func startFailed(generation: Int, error: SignalRError) -> SignalRError {
        guard case .connecting(let connecting) = state, connecting.generation == generation else { return error }
        let failure = connecting.failure ?? error
        state = .disconnected(failure)
        return failure
    }

    // MARK: Stop

    mutating func stop() -> StopAction {
        switch state {
        case .disconnected:
            return .none
        case .reconnecting:
            state = .disconnected(nil)
            return .endReconnectDelay
        case .connecting(var connecting):
            connecting.stopRequested = true
            let failure =
                connecting.failure
                ?? (connecting.transport == nil
                    ? SignalRError(.canceled, "The connection was stopped during negotiation.")
                    : SignalRError(.canceled, "The connection was stopped before the hub handshake could complete."))
            connecting.failure = failure
            state = .connecting(connecting)
            return .closeDuringStart(generation: connecting.generation, transportOpen: connecting.transport != nil, failure: failure)
        case .connected(let connected):
            if connected.stateful?.resuming == true {
                state = .disconnected(nil)
                return .endTransportResume(
                    ClosedOutcome(pending: Array(connected.pending.values), error: nil), generation: connected.transport.generation
                )
            }
            state = .disconnecting(Disconnecting(transport: connected.transport, pending: connected.pending, error: nil))
            return .closeConnection(generation: connected.transport.generation)
        case .disconnecting(var disconnecting):
            disconnecting.allowReconnect = false
            state = .disconnecting(disconnecting)
            return .wait
        }
    }

    /// Whether a stop() call must wait for the end (false: already disconnected, return now).
    func stopMustWait() -> Bool {
        switch state {
        case .connecting, .disconnecting: return true
        case .disconnected, .connected, .reconnecting: return false
        }
    }

    /// Ends the connection with `error` (server Close, server timeout, protocol error).
    /// - Parameter allowReconnect: false only for a server Close without `allowReconnect`:
    ///   automatic reconnect then does not run.
    /// - Returns: whether the transport of `generation` must close.
    mutating func closeWithError(generation: Int, _ error: SignalRError?, allowReconnect: Bool = true) -> Bool {
        switch state {
        case .connecting(var connecting) where connecting.generation == generation:
            if connecting.failure == nil { connecting.failure = error ?? SignalRError.invocationCanceledByClose }
            state = .connecting(connecting)
            return connecting.transport != nil
        case .connected(let connected) where connected.transport.generation == generation:
            state = .disconnecting(
                Disconnecting(
                    transport: connected.transport, pending: connected.pending, error: error, allowReconnect: allowReconnect
                )
            )
            return true
        default:
            return false
        }
    }

    // MARK: Timers

    mutating func timerFired(generation: Int, now: Duration) -> TimerAction {
        switch state {
        case .connecting(var connecting) where connecting.generation == generation:
            guard var timers = connecting.timers, connecting.transport != nil, connecting.failure == nil else { return .stop }
            let action = timers.tick(now: now)
            connecting.timers = timers
            if action == .handshakeTimedOut {
                let error = SignalRError(.timedOut, "Handshake timed out without a response from the server.")
                connecting.failure = error
                state = .connecting(connecting)
                return .failHandshake(generation: generation, error)
            }
            state = .connecting(connecting)
            return withStatefulAck(nil, timerAction(action, generation: generation), generation: generation, now: now)
        case .connected(var connected) where connected.transport.generation == generation:
            let action = connected.timers.tick(now: now)
            let ack = connected.stateful?.buffer.takeAck()
            state = .connected(connected)
            return withStatefulAck(ack, timerAction(action, generation: generation), generation: generation, now: now)
        default:
            return .stop
        }
    }

    private mutating func timerAction(_ action: ConnectionTimers.Action, generation: Int) -> TimerAction {
        switch action {
        case .sleep(let deadline): return .sleep(until: deadline)
        case .sendPing(let deadline): return .sendPing(generation: generation, thenSleepUntil: deadline)
        case .stop, .handshakeTimedOut: return .stop
        case .serverTimedOut:
            let error = SignalRError(.timedOut, "Server timeout elapsed without receiving a message from the server.")
            return closeWithError(generation: generation, error) ? .close(generation: generation) : .stop
        }
    }

    // MARK: Closed

    /// The transport of `generation` closed (`error` nil for a clean close) at `now`.
    mutating func transportClosed(generation: Int, error: SignalRError?, now: Duration) -> ClosedAction {
        switch state {
        case .connecting(var connecting) where connecting.generation == generation:
            let failure =
                connecting.failure ?? error
                ?? SignalRError(.connectionClosed, "The underlying connection was closed before the hub handshake could complete.")
            connecting.failure = failure
            state = .connecting(connecting)
            return .failedDuringStart(generation: generation, failure)
        case .connected(var connected) where connected.transport.generation == generation:
            if var session = connected.stateful, !session.resuming {
                // Stateful reconnect: keep the connection, reconnect the transport with the same token.
                session.resuming = true
                session.buffer.disconnected()
                connected.stateful = session
                state = .connected(connected)
                return .resumeTransport(generation: generation)
            }
            return connectionLost(pending: Array(connected.pending.values), error: error ?? connected.writeFailure, now: now)
        case .disconnecting(let disconnecting) where disconnecting.transport.generation == generation:
            if disconnecting.allowReconnect {
                return connectionLost(pending: Array(disconnecting.pending.values), error: disconnecting.error, now: now)
            }
            state = .disconnected(disconnecting.error)
            return .closed(ClosedOutcome(pending: Array(disconnecting.pending.values), error: disconnecting.error))
        default:
            return .none
        }
    }
}
