import Logging
import SignalRProtocol

extension HubConnection {
    /// What the receive path does with a message after stateful reconnect's bookkeeping.
    enum StatefulReceiveResult {
        case process
        case skip
        case closeTransport
    }

    /// Buffers a sequenced message for replay when stateful reconnect is on, writes it unless
    /// the transport is being reconnected, and waits while the buffer is full.
    /// - Returns: false when stateful reconnect is off (the caller writes normally).
    /// - Throws: the connection's error when it ends while the send waits for room.
    func writeSequenced(_ bytes: [UInt8], on link: TransportRuntime) async throws -> Bool {
        guard case .buffered(let id, let write, let mustWait) = machine.sequencedMessageSent(bytes, generation: link.generation)
        else { return false }
        if write {
            do {
                try await link.write(bytes)
            } catch {
                // The transport dropped: the message stays buffered and is replayed on the new one.
                logger.debug("Write failed; the message stays buffered for replay.", metadata: ["signalr.error": "\(error)"])
            }
        }
        if mustWait {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if machine.isSendWaiting(id: id) {
                    reconnect.blockedSends[id] = continuation
                } else if machine.publicState == .connected {
                    continuation.resume()
                } else {
                    continuation.resume(throwing: SignalRError.invocationCanceledByClose)
                }
            }
        }
        return true
    }

    /// Stateful reconnect's part of receiving: skips replayed duplicates and what arrives
    /// before the server's Sequence after a drop; handles Ack and Sequence.
    func statefulFilter(_ message: HubMessage, generation: Int) -> StatefulReceiveResult {
        switch machine.statefulMessageReceived(message, generation: generation) {
        case .process:
            return .process
        case .skip:
            return .skip
        case .acknowledged(let released):
            for id in released { reconnect.blockedSends.removeValue(forKey: id)?.resume() }
            return .skip
        case .sequenceError:
            let error = SignalRError(.protocolError, "Sequence ID greater than amount of messages we've received.")
            return closeWithError(generation: generation, error) ? .closeTransport : .skip
        }
    }

    /// The transport of `dropped` dropped with stateful reconnect on: reconnects it in the
    /// current reconnect task.
    func startTransportResume(
        from dropped: TransportRuntime, error: SignalRError?,
        using resume: @escaping @Sendable (TransportOpener) async throws -> TransportScope
    ) {
        startReconnectTask { connection in await connection.resumeTransport(from: dropped, error: error, using: resume) }
    }

    /// Reconnects the transport with the same connection token, then sends Sequence and the
    /// unacknowledged messages. On failure the connection is lost as without stateful
    /// reconnect: automatic reconnect (with a new negotiation) or close.
    private func resumeTransport(
        from dropped: TransportRuntime, error: SignalRError?,
        using resume: @escaping @Sendable (TransportOpener) async throws -> TransportScope
    ) async {
        let generation = dropped.generation
        logger.info("Transport lost; reconnecting it with the same connection token (stateful reconnect).")
        let scope: TransportScope
        do {
            scope = try await resume(transportOpener())
        } catch let resumeError {
            let failure = error ?? SignalRError.wrapping(resumeError)
            logger.info("Stateful reconnect failed.", metadata: ["signalr.error": "\(SignalRError.wrapping(resumeError).message)"])
            let action = machine.transportResumeFailed(from: generation, error: failure, now: clock.now)
            if case .none = action {} else { dropped.finishQueues() }
            links[generation] = nil
            await connectionLost(action)
            return
        }
        guard let newGeneration = machine.beginTransportResume(from: generation) else {
            scope.release()
            await scope.task.value
            return
        }
        let transport = scope.connection
        let established = EstablishedConnection(
            scope: scope, connectionId: machine.connectionId, transportName: "WebSockets", resumeTransport: resume
        )
        let link = makeLink(generation: newGeneration, established: established, resuming: dropped)
        var timers = ConnectionTimers(
            keepAliveInterval: keepAliveInterval, serverTimeout: serverTimeout, handshakeTimeout: handshakeTimeout,
            enabled: !transport.hasInherentKeepAlive, now: clock.now
        )
        timers.handshakeCompleted(now: clock.now)
        switch machine.transportResumed(from: generation, to: link.id, timers: timers) {
        case .close:
            await transport.close()
            link.finishOutbound()
            await link.runTask.value
            links[newGeneration] = nil
        case .replay(let firstId, let messages):
            links[generation] = nil
            if let sequence = try? encode(.sequence(SequenceMessage(sequenceId: firstId))) { link.enqueue(sequence) }
            for message in messages { link.enqueue(message) }
            machine.messageSent(generation: newGeneration, now: clock.now)
            logger.info(
                "Stateful reconnect succeeded.",
                metadata: ["signalr.sequenceId": "\(firstId)", "signalr.replayed": "\(messages.count)"]
            )
        }
    }

    /// Carries out a lost connection's action outside the transport's run task.
    private func connectionLost(_ action: HubConnectionStateMachine.ClosedAction) async {
        switch action {
        case .none, .failedDuringStart, .resumeTransport:
            return
        case .reconnect(let outcome, let plan):
            connectionEnded(outcome)
            startReconnect(plan)
        case .closed(let outcome):
            connectionEnded(outcome)
            if let error = outcome.error {
                logger.error("Connection disconnected with error.", metadata: ["signalr.error": "\(error.message)"])
            }
            for handler in closeHandlers { await handler(outcome.error) }
            resumeStopWaiters()
        }
    }
}
