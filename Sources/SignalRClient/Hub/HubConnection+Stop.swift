import Logging
import SignalRProtocol

extension HubConnection {
    /// Marks the task that runs the received calls of one connection, so that `stop()`
    /// called from a handler does not wait for that handler to return.
    @TaskLocal static var dispatchingConnection: DispatchMarker?

    /// Identifies one connection's dispatch task.
    struct DispatchMarker: Sendable, Equatable {
        let connection: ObjectIdentifier
        let generation: Int
    }

    /// Stops the connection (the official client's `stop()`).
    ///
    /// When connected, sends a Close message, then closes the transport. Pending invocations
    /// fail with "Invocation canceled due to the underlying connection being closed.", and
    /// the ``onClose(_:)`` handlers run with nil. During ``start()``, `start()` fails with
    /// "The connection was stopped before the hub handshake could complete." (or "…during
    /// negotiation."). Returns once everything the connection ran has ended; calling it when
    /// disconnected does nothing.
    ///
    /// During automatic reconnect it ends reconnecting at once (in a delay: "Connection stopped
    /// during reconnect delay. Done reconnecting."; during an attempt: that attempt fails),
    /// the state becomes ``HubConnectionState/disconnected`` and the ``onClose(_:)`` handlers
    /// run with nil.
    ///
    /// - Throws: nothing today; it is `throws` to match the official client's promise.
    public func stop() async throws {
        switch machine.stop() {
        case .none:
            logger.debug("Call to HubConnection.stop() ignored because the connection is already disconnected.")
            return
        case .wait:
            await waitUntilStopped()
        case .closeDuringStart(let link, let handshake, let failure):
            logger.debug("Stopping HubConnection during start.")
            if let failure { handshake?.resume(throwing: failure) }
            if let link { await link.transport.close() }
            await waitUntilStopped()
        case .closeConnection(let link):
            logger.debug("Stopping HubConnection.")
            await sendPendingStreamCancels(on: link)
            do {
                try await write(.close(CloseMessage()), on: link)
            } catch {
                logger.debug("Sending the Close message failed.", metadata: ["signalr.error": "\(error)"])
            }
            streamsClosing(generation: link.generation)
            await link.transport.close()
            await link.runTask.value
            await waitForDispatch(of: link.generation)
        case .endReconnectDelay:
            logger.debug("Connection stopped during reconnect delay. Done reconnecting.")
            await endReconnectTasks()
            for handler in closeHandlers { await handler(nil) }
        case .endTransportResume(let outcome):
            logger.debug("Connection stopped while the transport was reconnecting.")
            await endReconnectTasks()
            connectionEnded(outcome)
            for handler in closeHandlers { await handler(nil) }
        }
    }

    private func waitUntilStopped() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if !machine.addStopWaiter(continuation) { continuation.resume() }
        }
    }

    /// Waits for the dispatch task of `generation`, unless this code runs inside it.
    private func waitForDispatch(of generation: Int) async {
        guard let (dispatchGeneration, task) = dispatchTask, dispatchGeneration == generation else { return }
        // Inside any dispatch task of this connection: a resumed link's task waits for the
        // previous one, so waiting here could wait for the caller itself.
        if Self.dispatchingConnection?.connection == ObjectIdentifier(self) { return }
        await task.value
        if let current = dispatchTask, current.generation == generation { dispatchTask = nil }
    }

    /// Starts the task that runs received calls in order (see ``dispatchCalls(_:generation:hubProtocol:logger:)``).
    /// - Parameter previous: a task to finish first (the dropped link's, after stateful reconnect).
    func startDispatching(_ link: ConnectionLink, after previous: Task<Void, Never>? = nil) {
        let marker = DispatchMarker(connection: ObjectIdentifier(self), generation: link.generation)
        let items = link.dispatchItems
        let hubProtocol = hubProtocol
        let logger = logger
        let task = Task {
            await previous?.value
            await Self.$dispatchingConnection.withValue(marker) {
                await self.dispatchCalls(items, generation: marker.generation, hubProtocol: hubProtocol, logger: logger)
            }
        }
        dispatchTask = (link.generation, task)
    }
}
