import SignalRProtocol

/// The life cycle of a ``HubConnection``: every state change happens here.
///
/// A struct around a private `State` whose cases carry their data (the pending invocations
/// live in `connected`). Events are `mutating` methods that return actions; the actor carries
/// them out. The machine never resumes a continuation or touches the transport itself.
/// Every event names the connection `generation` it is about, so late events from an
/// earlier connection are ignored.
///
/// `state` is internal rather than private only so that the machine's own extensions in
/// other files (`+Reconnect`, `+Stateful`) can move it; nothing outside the machine touches it.
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
        case .connected(let connected): return .connected(connectionId: connected.link.connectionId)
        case .disconnecting: return .disconnecting
        case .reconnecting(let reconnecting): return .reconnecting(reconnecting.progress.cause)
        }
    }

    /// The connection id of the current connection, once the transport is open.
    var connectionId: String? {
        switch state {
        case .connecting(let connecting): return connecting.link?.connectionId
        case .connected(let connected): return connected.link.connectionId
        case .disconnecting(let disconnecting): return disconnecting.link.connectionId
        case .disconnected, .reconnecting: return nil
        }
    }

    /// The link of `generation`, if it is the current connection.
    func link(_ generation: Int) -> ConnectionLink? {
        switch state {
        case .connecting(let connecting) where connecting.generation == generation: return connecting.link
        case .connected(let connected) where connected.link.generation == generation: return connected.link
        case .disconnecting(let disconnecting) where disconnecting.link.generation == generation: return disconnecting.link
        default: return nil
        }
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

    /// The transport is open. Nil: go on with the handshake; otherwise start fails with it.
    mutating func transportOpened(link: ConnectionLink, timers: ConnectionTimers) -> SignalRError? {
        guard case .connecting(var connecting) = state, connecting.generation == link.generation else {
            return SignalRError(.canceled, "The connection was stopped during negotiation.")
        }
        if let failure = connecting.failure { return failure }
        connecting.link = link
        connecting.timers = timers
        state = .connecting(connecting)
        return nil
    }

    /// Registers start()'s wait for the handshake. Returns an error to resume it with at once.
    mutating func awaitHandshake(generation: Int, _ continuation: CheckedContinuation<Void, any Error>) -> SignalRError? {
        guard case .connecting(var connecting) = state, connecting.generation == generation else {
            return SignalRError.invocationCanceledByClose
        }
        if let failure = connecting.failure { return failure }
        connecting.handshake = continuation
        state = .connecting(connecting)
        return nil
    }

    /// The handshake response arrived (`error` nil on success) or could not be read.
    mutating func handshakeReceived(generation: Int, error: SignalRError?, now: Duration) -> HandshakeAction {
        guard case .connecting(var connecting) = state, connecting.generation == generation,
            !connecting.handshakeCompleted, connecting.failure == nil
        else { return .ignore }
        let continuation = connecting.handshake
        connecting.handshake = nil
        if let error {
            connecting.failure = error
            state = .connecting(connecting)
            return .rejected(continuation, error, connecting.link)
        }
        connecting.handshakeCompleted = true
        connecting.timers?.handshakeCompleted(now: now)
        state = .connecting(connecting)
        return .succeeded(continuation)
    }

    /// The failure recorded for a start in progress (stop, transport closed, handshake error).
    func startFailure(generation: Int) -> SignalRError? {
        guard case .connecting(let connecting) = state, connecting.generation == generation else { return nil }
        return connecting.failure
    }

    /// The handshake and first Ping are done: connected, unless something failed meanwhile.
    mutating func startCompleted(generation: Int) -> StartCompletedAction {
        guard case .connecting(let connecting) = state, connecting.generation == generation,
            let link = connecting.link, let timers = connecting.timers
        else { return .fail(SignalRError.invocationCanceledByClose) }
        if let failure = connecting.failure { return .fail(failure) }
        guard connecting.handshakeCompleted else {
            return .fail(SignalRError(.protocolError, "The hub handshake did not complete."))
        }
        state = .connected(Connected(link: link, timers: timers, stateful: connecting.stateful))
        return .connected(link)
    }

    /// start() failed (negotiation, transport or handshake) and cleaned up: back to disconnected.
    /// - Returns: the error start throws (stop's reason wins) and the stop() calls to resume.
    mutating func startFailed(generation: Int, error: SignalRError) -> (SignalRError, [StopWaiter]) {
        guard case .connecting(let connecting) = state, connecting.generation == generation else { return (error, []) }
        let failure = connecting.failure ?? error
        state = .disconnected(failure)
        return (failure, connecting.stopWaiters)
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
            if connecting.failure == nil {
                connecting.failure =
                    connecting.link == nil
                    ? SignalRError(.canceled, "The connection was stopped during negotiation.")
                    : SignalRError(.canceled, "The connection was stopped before the hub handshake could complete.")
            }
            let handshake = connecting.handshake
            connecting.handshake = nil
            state = .connecting(connecting)
            return .closeDuringStart(connecting.link, handshake, connecting.failure)
        case .connected(let connected):
            if connected.stateful?.resuming == true {
                state = .disconnected(nil)
                return .endTransportResume(
                    ClosedOutcome(invocations: Array(connected.invocations.values), error: nil, stopWaiters: []), connected.link
                )
            }
            state = .disconnecting(Disconnecting(link: connected.link, invocations: connected.invocations, error: nil))
            return .closeConnection(connected.link)
        case .disconnecting(var disconnecting):
            disconnecting.allowReconnect = false
            state = .disconnecting(disconnecting)
            return .wait
        }
    }

    /// Adds a stop() call that waits for the end. False: already disconnected, resume it now.
    mutating func addStopWaiter(_ waiter: StopWaiter) -> Bool {
        switch state {
        case .connecting(var connecting):
            connecting.stopWaiters.append(waiter)
            state = .connecting(connecting)
            return true
        case .disconnecting(var disconnecting):
            disconnecting.stopWaiters.append(waiter)
            state = .disconnecting(disconnecting)
            return true
        case .disconnected, .connected, .reconnecting:
            return false
        }
    }

    /// Ends the connection with `error` (server Close, server timeout, protocol error).
    /// - Parameter allowReconnect: false only for a server Close without `allowReconnect`:
    ///   automatic reconnect then does not run.
    /// - Returns: the link whose transport must close, or nil when nothing is to be done.
    mutating func closeWithError(generation: Int, _ error: SignalRError?, allowReconnect: Bool = true) -> ConnectionLink? {
        switch state {
        case .connecting(var connecting) where connecting.generation == generation:
            let link = connecting.link
            if connecting.failure == nil { connecting.failure = error ?? SignalRError.invocationCanceledByClose }
            state = .connecting(connecting)
            return link
        case .connected(let connected) where connected.link.generation == generation:
            state = .disconnecting(
                Disconnecting(link: connected.link, invocations: connected.invocations, error: error, allowReconnect: allowReconnect)
            )
            return connected.link
        default:
            return nil
        }
    }

    // MARK: Timers

    mutating func timerFired(generation: Int, now: Duration) -> TimerAction {
        switch state {
        case .connecting(var connecting) where connecting.generation == generation:
            guard var timers = connecting.timers, let link = connecting.link, connecting.failure == nil else { return .stop }
            let action = timers.tick(now: now)
            connecting.timers = timers
            state = .connecting(connecting)
            if action == .handshakeTimedOut {
                let error = SignalRError(.timedOut, "Handshake timed out without a response from the server.")
                let handshake = connecting.handshake
                connecting.handshake = nil
                connecting.failure = error
                state = .connecting(connecting)
                return .failHandshake(handshake, error, link)
            }
            return withStatefulAck(nil, timerAction(action, link: link, generation: generation), now: now)
        case .connected(var connected) where connected.link.generation == generation:
            let action = connected.timers.tick(now: now)
            let ack = connected.stateful?.buffer.takeAck()
            state = .connected(connected)
            return withStatefulAck(ack, timerAction(action, link: connected.link, generation: generation), now: now)
        default:
            return .stop
        }
    }

    private mutating func timerAction(_ action: ConnectionTimers.Action, link: ConnectionLink, generation: Int) -> TimerAction {
        switch action {
        case .sleep(let deadline): return .sleep(until: deadline)
        case .sendPing(let deadline): return .sendPing(link, thenSleepUntil: deadline)
        case .stop, .handshakeTimedOut: return .stop
        case .serverTimedOut:
            let error = SignalRError(.timedOut, "Server timeout elapsed without receiving a message from the server.")
            guard let link = closeWithError(generation: generation, error) else { return .stop }
            return .close(link)
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
            let handshake = connecting.handshake
            connecting.handshake = nil
            connecting.failure = failure
            state = .connecting(connecting)
            return .failedDuringStart(handshake, failure)
        case .connected(var connected) where connected.link.generation == generation:
            if var session = connected.stateful, !session.resuming {
                // Stateful reconnect: keep the connection, reconnect the transport with the same token.
                session.resuming = true
                session.buffer.disconnected()
                connected.stateful = session
                state = .connected(connected)
                return .resumeTransport(generation: generation, session.resumeTransport)
            }
            return connectionLost(invocations: Array(connected.invocations.values), error: error, now: now)
        case .disconnecting(let disconnecting) where disconnecting.link.generation == generation:
            if disconnecting.allowReconnect, disconnecting.stopWaiters.isEmpty {
                return connectionLost(invocations: Array(disconnecting.invocations.values), error: disconnecting.error, now: now)
            }
            state = .disconnected(disconnecting.error)
            return .closed(
                ClosedOutcome(
                    invocations: Array(disconnecting.invocations.values), error: disconnecting.error,
                    stopWaiters: disconnecting.stopWaiters
                )
            )
        default:
            return .none
        }
    }
}
