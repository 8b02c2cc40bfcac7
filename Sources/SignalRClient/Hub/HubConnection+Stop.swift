import Logging
import SignalRProtocol

extension HubConnection {
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
        case .closeDuringStart(let generation, let transportOpen, let failure):
            logger.debug("Stopping HubConnection during start.")
            resumeHandshake(generation: generation, throwing: failure)
            if transportOpen, let link = link(generation) { await link.transport.close() }
            await waitUntilStopped()
        case .closeConnection(let generation):
            logger.debug("Stopping HubConnection.")
            guard let link = link(generation) else { return }
            await sendPendingStreamCancels(on: link)
            do {
                try await write(.close(CloseMessage()), on: link)
            } catch {
                logger.debug("Sending the Close message failed.", metadata: ["signalr.error": "\(error)"])
            }
            streamsClosing(generation: link.generation)
            await link.transport.close()
            await link.runTask.value
            await waitForDispatch(of: link.session)
        case .endReconnectDelay:
            logger.debug("Connection stopped during reconnect delay. Done reconnecting.")
            await endReconnectTasks()
            for handler in closeHandlers { await handler(nil) }
        case .endTransportResume(let outcome, let generation):
            logger.debug("Connection stopped while the transport was reconnecting.")
            await endReconnectTasks()
            connectionEnded(outcome)
            if let dropped = links.removeValue(forKey: generation) {
                dropped.finishQueues()
                await waitForDispatch(of: dropped.session)
            }
            for handler in closeHandlers { await handler(nil) }
        }
    }

    private func waitUntilStopped() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if machine.stopMustWait() {
                stopWaiters.append(continuation)
            } else {
                continuation.resume()
            }
        }
    }

    /// Waits for the session task of `session`, unless this code runs inside it (a handler
    /// or an upload that calls stop()).
    func waitForDispatch(of session: Int) async {
        guard let (current, task) = dispatchTask, current == session else { return }
        if task.isCurrent { return }
        await task.value
        if let latest = dispatchTask, latest.session == session { dispatchTask = nil }
    }

    /// Starts the session task of a new connection: it runs received calls in order (see
    /// ``dispatchCalls(_:session:hubProtocol:logger:)``) and the uploads, until the dispatch
    /// queue ends with the connection (not with a transport that stateful reconnect resumes);
    /// then it ends the uploads and returns once they are gone.
    func startDispatching(_ link: TransportRuntime) {
        let session = link.session
        let items = link.dispatchItems
        let jobs = openStreamJobs(session: session)
        let hubProtocol = hubProtocol
        let logger = logger
        let task = spawnChild {
            // An `async let` child rather than a task group's: it lives in this task's allocator
            // (less memory per connection), and is awaited, not cancelled, below.
            async let streamJobs: Void = StreamJobRunner(connection: self, session: session).run(jobs)
            await self.dispatchCalls(items, session: session, hubProtocol: hubProtocol, logger: logger)
            await self.closeStreamJobs(session: session)
            await streamJobs
        }
        dispatchTask = (link.session, task)
    }
}
