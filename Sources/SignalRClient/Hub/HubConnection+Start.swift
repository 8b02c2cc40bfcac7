import Logging
import SignalRProtocol

extension HubConnection {
    /// Starts the connection: negotiates, connects a transport, performs the hub handshake
    /// and sends one Ping, as the official client does.
    ///
    /// - Throws: ``SignalRError``: ``SignalRError/Code/invalidState`` with "Cannot start a
    ///   HubConnection that is not in the 'Disconnected' state." when not disconnected;
    ///   ``SignalRError/Code/handshakeRejected`` with "Server returned handshake error: …";
    ///   negotiation and transport failures; ``SignalRError/Code/timedOut`` when the
    ///   handshake times out; ``SignalRError/Code/canceled`` when ``stop()`` interrupts it.
    ///   A failed start does not run the ``onClose(_:)`` handlers.
    public func start() async throws {
        let generation: Int
        switch machine.start() {
        case .fail(let text): throw SignalRError(.invalidState, text)
        case .connect(let next): generation = next
        }
        logger.debug("Starting HubConnection.")
        do {
            try await establish(generation: generation)
        } catch {
            let failure = machine.startFailed(generation: generation, error: Self.startError(error))
            resumeStopWaiters()
            logger.error("Failed to start the connection.", metadata: ["signalr.error": "\(failure.message)"])
            throw failure
        }
    }

    /// Runs start attempt `generation` (of ``start()`` or of automatic reconnect): negotiates,
    /// connects a transport, performs the handshake and sends one Ping. On failure it closes
    /// what it opened and throws; the caller then moves the state.
    /// - Returns: the connection id (nil when negotiation was skipped).
    /// - Throws: the failure, as ``start()`` documents.
    @discardableResult
    func establish(generation: Int) async throws -> String? {
        let established = try await connectionFactory.connect(
            transferFormat: hubProtocol.transferFormat, logger: logger, opener: transportOpener()
        )
        let link = makeLink(generation: generation, established: established)
        let timers = ConnectionTimers(
            keepAliveInterval: keepAliveInterval, serverTimeout: serverTimeout, handshakeTimeout: handshakeTimeout,
            enabled: !established.transport.hasInherentKeepAlive, now: clock.now
        )
        if let failure = machine.transportOpened(link.id, timers: timers) {
            try await failStart(link, failure)
        }
        var version = hubProtocol.version
        if established.resumeTransport != nil {
            // Stateful reconnect was granted: handshake version 2 enables Ack and Sequence.
            machine.prepareStateful(generation: generation, bufferSize: statefulBufferSize)
            version = max(2, version)
        }
        logger.debug("Sending handshake request.", metadata: ["signalr.transport": "\(established.transportName)"])
        let request = HandshakeProtocol.writeRequest(HandshakeRequest(protocolName: hubProtocol.name, version: version))
        do {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if let failure = machine.awaitHandshake(generation: generation) {
                    continuation.resume(throwing: failure)
                    return
                }
                handshakeWaiter = (generation, continuation)
                machine.messageSent(generation: generation, now: clock.now)
                link.enqueue(request)
            }
            logger.debug("Hub handshake completed.")
            if !established.transport.hasInherentKeepAlive {
                try await write(.ping, on: link)
            }
        } catch {
            try await failStart(link, machine.startFailure(generation: generation) ?? Self.startError(error))
        }
        switch machine.startCompleted(generation: generation) {
        case .fail(let failure):
            try await failStart(link, failure)
        case .connected:
            startDispatching(link)
            logger.info(
                "HubConnection connected successfully.",
                metadata: ["signalr.connectionId": "\(established.connectionId ?? "")"]
            )
        }
        return established.connectionId
    }

    /// Closes what a failed start opened, waits until it is gone, then throws `failure`.
    private func failStart(_ link: TransportRuntime, _ failure: SignalRError) async throws -> Never {
        await link.transport.close()
        link.finishQueues()
        await link.runTask.value
        links[link.generation] = nil
        throw failure
    }

    private static func startError(_ error: any Error) -> SignalRError {
        if error is CancellationError { return SignalRError(.canceled, "The connection was stopped during negotiation.") }
        return SignalRError.wrapping(error)
    }

    /// Creates the queues of a new connection and runs its loops in the transport's scope.
    /// - Parameter resuming: the dropped link whose connection this transport continues: the
    ///   new link keeps its session and dispatch queue.
    func makeLink(generation: Int, established: EstablishedConnection, resuming previous: TransportRuntime? = nil) -> TransportRuntime {
        let awaitsHandshake = previous == nil
        let outbound = OutboundQueue(transport: established.transport)
        let (dispatchItems, dispatch) = previous.map { ($0.dispatchItems, $0.dispatch) } ?? AsyncStream.makeStream(of: DispatchItem.self)
        let runner = TransportRunner(
            generation: generation, transport: established.transport,
            hubProtocol: hubProtocol, clock: clock, logger: logger, awaitsHandshake: awaitsHandshake
        )
        let runTask = established.scope.start { await runner.run(outbound: outbound, on: self) }
        let link = TransportRuntime(
            generation: generation, session: previous?.session ?? generation,
            transport: established.transport, connectionId: established.connectionId,
            outbound: outbound, dispatch: dispatch, dispatchItems: dispatchItems, runTask: runTask,
            resumeTransport: established.resumeTransport
        )
        links[generation] = link
        return link
    }
}
