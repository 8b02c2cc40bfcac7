import Logging
import SignalRProtocol

extension HubConnection {
    /// Reads the frames of one transport until it ends, decoding and handling each on the
    /// actor. Returns the transport's error (nil for a clean close).
    ///
    /// The transport hands each frame to this actor-isolated loop (``TransportConnection/receive(isolation:_:)``):
    /// over WebSockets the loop reads the socket itself, so a frame goes from NIO to the decoder
    /// with no task or stream in between. When the transport must close (a server Close, bad
    /// input), `requestClose` asks the runner to close it: the loop keeps reading until the
    /// transport ends, since closing waits for the reading to end.
    func receiveFrames(
        of transport: any TransportConnection, generation: Int, expectingHandshake: Bool,
        requestClose: () -> Void
    ) async -> SignalRError? {
        var decoder = HubFrameDecoder.client(hubProtocol: hubProtocol, expectingHandshake: expectingHandshake)
        do {
            try await transport.receive(isolation: #isolation) { frame in
                guard machine.dataReceived(generation: generation, now: clock.now) else { return }
                let decoded: HubFrameDecoder.Decoded
                do throws(HubFrameDecoder.DecodingError) {
                    decoded = try decoder.decode(frame)
                } catch {
                    switch error.stage {
                    case .handshake:
                        handshakeReceived(
                            generation: generation,
                            error: SignalRError(.protocolError, "Error parsing handshake response: \(error)", underlyingError: error.underlying)
                        )
                    case .messages:
                        let failure = SignalRError(.protocolError, "Failed to parse messages: \(error)", underlyingError: error.underlying)
                        if closeWithError(generation: generation, failure) { requestClose() }
                    }
                    return
                }
                if let response = decoded.handshakeResponse {
                    let failure = response.error.map { SignalRError(.handshakeRejected, "Server returned handshake error: \($0)") }
                    guard handshakeReceived(generation: generation, error: failure) else { return }
                }
                if !decoded.messages.isEmpty, await messagesReceived(generation: generation, decoded.messages) {
                    requestClose()
                }
            }
            return nil
        } catch {
            return SignalRError.wrapping(error)
        }
    }

    /// The handshake answer (`error` nil on success). Returns whether hub messages may follow.
    @discardableResult
    func handshakeReceived(generation: Int, error: SignalRError?) -> Bool {
        switch machine.handshakeReceived(generation: generation, error: error, now: clock.now) {
        case .ignore:
            return false
        case .succeeded:
            resumeHandshake(generation: generation, throwing: nil)
            return true
        case .rejected(let failure):
            logger.error("Hub handshake failed.", metadata: ["signalr.error": "\(failure.message)"])
            resumeHandshake(generation: generation, throwing: failure)
            return false
        }
    }

    /// Ends the connection of `generation` with `error`. Returns whether the transport must be closed.
    func closeWithError(generation: Int, _ error: SignalRError?) -> Bool {
        if let error { logger.error("Closing the connection.", metadata: ["signalr.error": "\(error.message)"]) }
        return machine.closeWithError(generation: generation, error)
    }

    /// Handles received hub messages in order. Returns whether the transport must be closed.
    /// Suspends while a stream's buffer is full (backpressure; see ``stream(_:_:as:bufferSize:)``).
    func messagesReceived(generation: Int, _ messages: [HubMessage]) async -> Bool {
        for message in messages {
            guard let link = link(generation) else { return false }
            switch statefulFilter(message, generation: generation) {
            case .process: break
            case .skip:
                logger.trace("Skipped a message (stateful reconnect).", metadata: ["signalr.type": "\(message.messageType)"])
                continue
            case .closeTransport: return true
            }
            switch message {
            case .invocation(let invocation):
                logger.trace("Received invocation.", metadata: ["signalr.target": "\(invocation.target)"])
                let entries = handlers.handlers(for: invocation.target)
                if entries.isEmpty {
                    logger.warning("No client method with the name '\(invocation.target.lowercased())' found.")
                }
                link.dispatch.yield(DispatchItem(invocation: invocation, handlers: entries))
            case .completion(let completion):
                logger.trace("Received completion.", metadata: ["signalr.invocationId": "\(completion.invocationId)"])
                switch machine.completionReceived(generation: generation, invocationId: completion.invocationId) {
                case .invocation(let waiter):
                    waiter.finish(.success(completion.result))
                case .stream(let channel):
                    streamCompleted(channel, completion)
                case nil:
                    logger.debug("Dropped a completion for an unknown invocation.", metadata: ["signalr.invocationId": "\(completion.invocationId)"])
                }
            case .close(let close):
                logger.debug("Close message received from server.")
                let error = close.error.map { SignalRError(.connectionClosed, "Server returned an error on close: \($0)") }
                if machine.closeWithError(generation: generation, error, allowReconnect: close.allowReconnect) { return true }
            case .ping:
                continue
            case .streamItem(let item):
                await streamItemReceived(item, generation: generation)
            case .streamInvocation, .cancelInvocation, .ack, .sequence:
                logger.debug("Ignored a message this client does not handle yet.", metadata: ["signalr.type": "\(message.messageType)"])
            }
        }
        return false
    }

    /// The timer of `generation` woke up: sends what is due (Ping, Ack), or fails the
    /// handshake or closes the transport when a timeout elapsed.
    /// - Returns: when to wake up next, or nil when the timer is done.
    func timerFired(generation: Int) async -> Duration? {
        let link = link(generation)
        var action = machine.timerFired(generation: generation, now: clock.now)
        while true {
            switch action {
            case .sleep(let deadline):
                return deadline
            case .sendPing(_, let deadline):
                if let bytes = try? encode(.ping) { link?.enqueue(bytes) }
                return deadline
            case .sendAck(_, let ack, let next):
                if let bytes = try? encode(.ack(ack)) { link?.enqueue(bytes) }
                action = next
            case .failHandshake(let generation, let error):
                logger.error("Hub handshake timed out.")
                resumeHandshake(generation: generation, throwing: error)
                await closeTransport(link)
                return nil
            case .close:
                logger.error("Server timeout elapsed without receiving a message from the server.")
                await closeTransport(link)
                return nil
            case .stop:
                return nil
            }
        }
    }

    /// Closes `link`'s transport, letting a receive loop that waits for a full stream buffer go on.
    func closeTransport(_ link: TransportRuntime?) async {
        guard let link else { return }
        streamsClosing(generation: link.generation)
        await link.transport.close()
    }

    /// The transport of `generation` closed: fail what is pending and run the close handlers.
    func transportClosed(generation: Int, error: SignalRError?) async {
        let link = link(generation)
        let action = machine.transportClosed(generation: generation, error: error, now: clock.now)
        if action != .resumeTransport(generation: generation) {
            // Stateful reconnect still needs a dropped link (its session and dispatch queue).
            links[generation] = nil
        }
        switch action {
        case .none:
            link?.finishQueues()
        case .failedDuringStart(_, let failure):
            link?.finishQueues()
            resumeHandshake(generation: generation, throwing: failure)
        case .resumeTransport:
            link?.finishOutbound()
            if let link, let resume = link.resumeTransport {
                startTransportResume(from: link, error: error, using: resume)
            }
        case .reconnect(let outcome, let plan):
            link?.finishQueues()
            connectionEnded(outcome)
            startReconnect(plan)
        case .closed(let outcome):
            link?.finishQueues()
            connectionEnded(outcome)
            if let error = outcome.error {
                logger.error("Connection disconnected with error.", metadata: ["signalr.error": "\(error.message)"])
            } else {
                logger.info("Connection disconnected.")
            }
            for handler in closeHandlers { await handler(outcome.error) }
            resumeStopWaiters()
        }
    }
}
