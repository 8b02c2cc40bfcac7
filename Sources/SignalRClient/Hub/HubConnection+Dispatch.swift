import Logging
import SignalRProtocol

extension HubConnection {
    /// Runs the received calls of one connection.
    ///
    /// Calls start in the order they arrived. A plain call (no invocation id) runs to its end
    /// before the next one starts. A call that expects a result (client results) runs beside
    /// the calls after it, as the .NET client does: its handler may await the hub (for
    /// example `invoke` on this connection, or a user's answer) without holding back the
    /// connection's other calls. Once the queue ends (the connection closed), handlers of
    /// client-result calls still running are cancelled: their answer can no longer be sent.
    nonisolated func dispatchCalls(
        _ items: AsyncStream<DispatchItem>, session: Int, hubProtocol: any HubProtocol, logger: Logger
    ) async {
        await withDiscardingTaskGroup { group in
            for await item in items {
                guard item.invocation.invocationId != nil else {
                    _ = await Self.runHandlers(item, hubProtocol: hubProtocol, logger: logger, started: {})
                    continue
                }
                // Wait until its handlers have started, so calls start in arrival order.
                await withCheckedContinuation { (started: CheckedContinuation<Void, Never>) in
                    group.addTask {
                        let completion = await Self.runHandlers(item, hubProtocol: hubProtocol, logger: logger) {
                            started.resume()
                        }
                        if let completion { await self.sendCompletion(completion, session: session) }
                    }
                }
            }
            group.cancelAll()
        }
    }

    /// Runs the handlers of one received call, calling `started` once, just before the
    /// first runs. Returns the Completion to send when the server expects a result.
    ///
    /// The answer follows the official client's `_invokeClientMethod`: the handlers run in the
    /// order they were registered and the last one decides. Two handlers in a row returning
    /// values give "Client provided multiple results." (whatever follows); otherwise, when the
    /// last handler threw, its error's text (a value after a throw wins, the throw still
    /// logged); otherwise the last handler's value (`nil`, `false`, `0` and `""` are values,
    /// where JavaScript's truthiness would not count them); otherwise (no handler, or the last
    /// returning nothing) "Client didn't provide a result.".
    static func runHandlers(
        _ item: DispatchItem, hubProtocol: any HubProtocol, logger: Logger, started: () -> Void
    ) async -> CompletionMessage? {
        let invocation = item.invocation
        let method = invocation.target.lowercased()
        var result: HubValue?
        var multipleResults = false
        var failure: String?
        started()
        for entry in item.handlers {
            do {
                let previous = result
                switch try await entry.handler(invocation.arguments, hubProtocol) {
                case .result(let value): result = value
                case .noResult: result = nil
                }
                if result != nil, previous != nil { multipleResults = true }
                // A handler that answered after one that threw: the answer stands.
                failure = nil
            } catch {
                let text = SignalRError.completionText(for: error)
                logger.error("A callback for the method '\(method)' threw error '\(text)'.")
                failure = text
            }
        }
        guard let invocationId = invocation.invocationId else {
            if result != nil { logger.error("Result given for '\(method)' method but server is not expecting a result.") }
            return nil
        }
        let outcome: CompletionResult
        if multipleResults {
            logger.error("Multiple results provided for '\(method)'. Sending error to server.")
            outcome = .error("Client provided multiple results.")
        } else if let failure {
            outcome = .error(failure)
        } else if let result {
            outcome = .value(result)
        } else {
            logger.warning("No result given for '\(method)' method and invocation ID '\(invocationId)'.")
            outcome = .error("Client didn't provide a result.")
        }
        return CompletionMessage(invocationId: invocationId, result: outcome)
    }

    /// Sends the answer to a client-result call of connection `session`, if it is still current
    /// (on its current transport: a stateful resume does not lose the answer).
    func sendCompletion(_ completion: CompletionMessage, session: Int) async {
        guard let link = linkForSending(), link.session == session else { return }
        do {
            try await write(.completion(completion), on: link)
        } catch {
            logger.debug("Sending a completion failed.", metadata: ["signalr.error": "\(error)"])
        }
    }
}
