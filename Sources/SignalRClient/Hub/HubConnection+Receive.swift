import Logging
import SignalRProtocol

/// What the timer loop does after asking the connection.
enum RunnerTimerAction: Sendable {
    case sleep(until: Duration)
    case closeTransport
    case stop
}

extension HubConnection {
    /// Data of `generation` arrived: restarts the server timeout. False: ignore it.
    func dataReceived(generation: Int) -> Bool {
        machine.dataReceived(generation: generation, now: clock.now)
    }

    /// The handshake answer (`error` nil on success). Returns whether hub messages may follow.
    @discardableResult
    func handshakeReceived(generation: Int, error: SignalRError?) -> Bool {
        switch machine.handshakeReceived(generation: generation, error: error, now: clock.now) {
        case .ignore:
            return false
        case .succeeded(let continuation):
            continuation?.resume()
            return true
        case .rejected(let continuation, let failure, _):
            logger.error("Hub handshake failed.", metadata: ["signalr.error": "\(failure.message)"])
            continuation?.resume(throwing: failure)
            return false
        }
    }

    /// Ends the connection of `generation` with `error`. Returns whether the transport must be closed.
    func closeWithError(generation: Int, _ error: SignalRError?) -> Bool {
        if let error { logger.error("Closing the connection.", metadata: ["signalr.error": "\(error.message)"]) }
        return machine.closeWithError(generation: generation, error) != nil
    }

    /// Handles received hub messages in order. Returns whether the transport must be closed.
    func messagesReceived(generation: Int, _ messages: [HubMessage]) -> Bool {
        for message in messages {
            guard let link = machine.link(generation) else { return false }
            switch message {
            case .invocation(let invocation):
                logger.trace("Received invocation.", metadata: ["signalr.target": "\(invocation.target)"])
                let entries = handlers.handlers(for: invocation.target)
                if entries.isEmpty {
                    logger.warning("No client method with the name '\(invocation.target.lowercased())' found.")
                }
                link.dispatch.yield(DispatchItem(invocation: invocation, handlers: entries))
            case .completion(let completion):
                guard let waiter = machine.completionReceived(generation: generation, invocationId: completion.invocationId)
                else {
                    logger.debug("Dropped a completion for an unknown invocation.", metadata: ["signalr.invocationId": "\(completion.invocationId)"])
                    continue
                }
                waiter.finish(.success(completion.result))
            case .close(let close):
                logger.debug("Close message received from server.")
                let error = close.error.map { SignalRError(.connectionClosed, "Server returned an error on close: \($0)") }
                if machine.closeWithError(generation: generation, error) != nil { return true }
            case .ping:
                continue
            case .streamItem, .streamInvocation, .cancelInvocation, .ack, .sequence:
                logger.debug("Ignored a message this client does not handle yet.", metadata: ["signalr.type": "\(message.messageType)"])
            }
        }
        return false
    }

    /// The timer of `generation` woke up: send what is due and say when to wake next.
    func timerFired(generation: Int) -> RunnerTimerAction {
        switch machine.timerFired(generation: generation, now: clock.now) {
        case .sleep(let deadline):
            return .sleep(until: deadline)
        case .sendPing(let link, let deadline):
            if let bytes = try? encode(.ping) { link.enqueue(bytes) }
            return .sleep(until: deadline)
        case .failHandshake(let continuation, let error, _):
            logger.error("Hub handshake timed out.")
            continuation?.resume(throwing: error)
            return .closeTransport
        case .close:
            logger.error("Server timeout elapsed without receiving a message from the server.")
            return .closeTransport
        case .stop:
            return .stop
        }
    }

    /// The transport of `generation` closed: fail what is pending and run the close handlers.
    func transportClosed(generation: Int, error: SignalRError?) async {
        let link = machine.link(generation)
        switch machine.transportClosed(generation: generation, error: error) {
        case .none:
            link?.finishQueues()
        case .failedDuringStart(let handshake, let failure):
            link?.finishQueues()
            handshake?.resume(throwing: failure)
        case .closed(let outcome):
            link?.finishQueues()
            let cause = outcome.error ?? SignalRError.invocationCanceledByClose
            for waiter in outcome.invocations { waiter.finish(.failure(cause)) }
            if let error = outcome.error {
                logger.error("Connection disconnected with error.", metadata: ["signalr.error": "\(error.message)"])
            } else {
                logger.info("Connection disconnected.")
            }
            for handler in closeHandlers { await handler(outcome.error) }
            outcome.stopWaiters.forEach { $0.resume() }
        }
    }
}
