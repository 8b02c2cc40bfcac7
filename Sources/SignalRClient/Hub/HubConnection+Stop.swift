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
    /// - Throws: nothing today; it is `throws` so that reconnect (a later issue) can report
    ///   being stopped during a reconnect delay without an API change.
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
            do {
                try await write(.close(CloseMessage()), on: link)
            } catch {
                logger.debug("Sending the Close message failed.", metadata: ["signalr.error": "\(error)"])
            }
            await link.transport.close()
            await link.runTask.value
            await waitForDispatch(of: link.generation)
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
        let marker = DispatchMarker(connection: ObjectIdentifier(self), generation: generation)
        if Self.dispatchingConnection == marker { return }
        await task.value
        if let current = dispatchTask, current.generation == generation { dispatchTask = nil }
    }

    /// Starts the task that runs received calls, one at a time, in order.
    func startDispatching(_ link: ConnectionLink) {
        let marker = DispatchMarker(connection: ObjectIdentifier(self), generation: link.generation)
        let items = link.dispatchItems
        let hubProtocol = hubProtocol
        let logger = logger
        let task = Task {
            await Self.$dispatchingConnection.withValue(marker) {
                for await item in items {
                    let completion = await Self.runHandlers(item, hubProtocol: hubProtocol, logger: logger)
                    if let completion { await self.sendCompletion(completion, generation: marker.generation) }
                }
            }
        }
        dispatchTask = (link.generation, task)
    }

    /// Runs the handlers of one received call. Returns the Completion to send when the server
    /// expects a result (client results).
    private static func runHandlers(_ item: DispatchItem, hubProtocol: any HubProtocol, logger: Logger) async -> CompletionMessage? {
        let invocation = item.invocation
        var result: HubValue?
        var failure: String?
        for entry in item.handlers {
            do {
                if case .result(let value) = try await entry.handler(invocation.arguments, hubProtocol) {
                    if result != nil { failure = "Client provided multiple results." }
                    result = value
                }
            } catch {
                let text = (error as? SignalRError)?.message ?? String(describing: error)
                logger.error("A callback for the method '\(invocation.target.lowercased())' threw error '\(text)'.")
                failure = failure ?? text
            }
        }
        guard let invocationId = invocation.invocationId else { return nil }
        if let failure { return CompletionMessage(invocationId: invocationId, result: .error(failure)) }
        if let result { return CompletionMessage(invocationId: invocationId, result: .value(result)) }
        return CompletionMessage(invocationId: invocationId, result: .error("Client didn't provide a result."))
    }

    private func sendCompletion(_ completion: CompletionMessage, generation: Int) async {
        guard let link = machine.linkForSending(), link.generation == generation else { return }
        do {
            try await write(.completion(completion), on: link)
        } catch {
            logger.debug("Sending a completion failed.", metadata: ["signalr.error": "\(error)"])
        }
    }
}
