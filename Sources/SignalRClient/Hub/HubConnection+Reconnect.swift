import Logging
import SignalRProtocol

/// What automatic and stateful reconnect keep on the ``HubConnection`` actor.
struct ReconnectRuntime {
    var reconnectingHandlers: [@Sendable (SignalRError?) async -> Void] = []
    var reconnectedHandlers: [@Sendable (String?) async -> Void] = []
    /// The task of the current reconnect run or transport resume, which stop() ends and awaits.
    /// An earlier task may still be running user handlers (onReconnected, onClose); it ends
    /// when they return.
    var current: ChildTask?
    /// Sends waiting for room in the stateful reconnect buffer, by sequence id.
    var blockedSends: [Int64: CheckedContinuation<Void, any Error>] = [:]
}

extension HubConnection {
    /// Registers a handler that runs when the connection was lost and automatic reconnect
    /// begins (the official client's `onreconnecting`): the state is then
    /// ``HubConnectionState/reconnecting``.
    ///
    /// ```swift
    /// await connection.onReconnecting { error in print("Reconnecting: \(error?.message ?? "-")") }
    /// ```
    ///
    /// - Parameter handler: receives the error that ended the connection (nil after a clean
    ///   close or a server Close without error). Not run when stateful reconnect restores the
    ///   transport, nor when the retry policy answers nil at once.
    public func onReconnecting(_ handler: @escaping @Sendable (SignalRError?) async -> Void) {
        reconnect.reconnectingHandlers.append(handler)
    }

    /// Registers a handler that runs when automatic reconnect succeeded (the official
    /// client's `onreconnected`): the state is ``HubConnectionState/connected`` again.
    ///
    /// ```swift
    /// await connection.onReconnected { connectionId in print("Reconnected as \(connectionId ?? "-")") }
    /// ```
    ///
    /// - Parameter handler: receives the new connection id (nil when negotiation was skipped).
    public func onReconnected(_ handler: @escaping @Sendable (String?) async -> Void) {
        reconnect.reconnectedHandlers.append(handler)
    }

    /// Fails the invocations, streams and blocked sends of a connection that ended: each
    /// stream ends with `cause` after its buffered items.
    func connectionEnded(_ outcome: HubConnectionStateMachine.ClosedOutcome) {
        let cause = outcome.error ?? SignalRError.invocationCanceledByClose
        for call in outcome.pending {
            switch call {
            case .invocation(let waiter): waiter.finish(.failure(cause))
            case .stream(let channel): channel.finish(cause)
            }
        }
        let blocked = reconnect.blockedSends
        reconnect.blockedSends = [:]
        for continuation in blocked.values { continuation.resume(throwing: cause) }
    }

    /// Runs `body` as the current reconnect task.
    func startReconnectTask(_ body: @escaping @Sendable (isolated HubConnection) async -> Void) {
        reconnect.current = spawnChild { await body(self) }
    }

    /// stop() ended reconnecting: cancels and awaits the current reconnect task, unless the
    /// caller runs inside it (an onReconnecting handler).
    func endReconnectTasks() async {
        guard let task = reconnect.current else { return }
        reconnect.current = nil
        task.cancel()
        if !task.isCurrent { await task.value }
    }

    /// Begins automatic reconnect (the state is already `reconnecting`).
    func startReconnect(_ plan: HubConnectionStateMachine.ReconnectPlan) {
        startReconnectTask { connection in await connection.runReconnect(plan) }
    }

    /// The reconnect loop: onReconnecting, then delay and attempt until one succeeds, the
    /// policy gives up or stop() ends it.
    private func runReconnect(_ plan: HubConnectionStateMachine.ReconnectPlan) async {
        if let error = plan.error {
            logger.info("Connection reconnecting because of error.", metadata: ["signalr.error": "\(error.message)"])
        } else {
            logger.info("Connection reconnecting.")
        }
        for handler in reconnect.reconnectingHandlers { await handler(plan.error) }
        var delay = plan.delay
        var attempt = 1
        while true {
            guard machine.isReconnecting(id: plan.id) else {
                logger.debug("Connection left the reconnecting state. Done reconnecting.")
                return
            }
            logger.info(
                "Reconnect attempt will start after a delay.",
                metadata: ["signalr.attempt": "\(attempt)", "signalr.delay": "\(delay)"]
            )
            try? await clock.sleep(until: clock.now + delay)
            guard let generation = machine.reconnectDelayElapsed(id: plan.id) else {
                logger.debug("Connection left the reconnecting state during reconnect delay. Done reconnecting.")
                return
            }
            let failure: SignalRError
            do {
                let connectionId = try await establish(generation: generation)
                logger.info("HubConnection reconnected successfully.", metadata: ["signalr.connectionId": "\(connectionId ?? "")"])
                for handler in reconnect.reconnectedHandlers { await handler(connectionId) }
                return
            } catch {
                failure = SignalRError.wrapping(error)
            }
            logger.info("Reconnect attempt failed.", metadata: ["signalr.error": "\(failure.message)"])
            switch machine.reconnectAttemptFailed(generation: generation, error: failure, now: clock.now) {
            case .none:
                return
            case .retry(let next, let number):
                delay = next
                attempt = number
            case .stopped:
                logger.debug("Connection stopped during reconnect attempt. Done reconnecting.")
                for handler in closeHandlers { await handler(nil) }
                resumeStopWaiters()
                return
            case .gaveUp(let error):
                logger.info(
                    "Reconnect retries have been exhausted. Connection disconnecting.",
                    metadata: ["signalr.attempts": "\(attempt)", "signalr.error": "\(error.message)"]
                )
                for handler in closeHandlers { await handler(error) }
                resumeStopWaiters()
                return
            }
        }
    }
}
