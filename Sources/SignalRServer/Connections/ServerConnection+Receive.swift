import Logging
import SignalRProtocol

extension ServerConnection {
    /// Handles bytes the client sent (a WebSocket message or a POST body).
    /// - Parameter session: the transport session the bytes came from (WebSockets); bytes of a
    ///   session that a stateful resume replaced are dropped: the client replays them after its
    ///   Sequence message, so handling them too would count them twice.
    /// - Returns: false when the connection is over (a POST then gets 404).
    @discardableResult
    func receive(_ received: [UInt8], session from: Int? = nil) async -> Bool {
        guard !isClosed else { return false }
        if let from, from != machine.session { return true }
        if machine.isNegotiated {
            // As ASP.NET Core, the hub starts with the first transport request; keep the bytes until then.
            inputBeforeTransport += received
            return true
        }
        var bytes = received
        if !inputBeforeTransport.isEmpty {
            bytes = inputBeforeTransport + received
            inputBeforeTransport = []
        }
        guard !bytes.isEmpty else { return true }
        machine.received(now: clock.now)
        switch handshake {
        case .failed:
            return false
        case .waiting(var decoder):
            let decoded: HubFrameDecoder.Decoded
            do throws(HubFrameDecoder.DecodingError) {
                decoded = try decoder.decode(bytes)
            } catch {
                let text = ErrorText.build(
                    "An unexpected error occurred during connection handshake.", error.underlying,
                    detailed: endpoint.configuration.enableDetailedErrors)
                failHandshake(text)
                return !isClosed
            }
            handshake = .waiting(decoder)
            if let request = decoded.handshakeRequest { await completeHandshake(request) }
        case .done:
            receiveAfterHandshake(bytes)
        }
        return !isClosed
    }

    /// Whether the connection was negotiated and no transport request came yet: bytes POSTed
    /// now wait for it (see ``receive(_:session:)``).
    func awaitsFirstTransportRequest() -> Bool {
        !isClosed && machine.isNegotiated
    }

    /// The request was read: answers it after the handshake delay fault, if any. Bytes that
    /// arrive meanwhile wait in the decoder.
    private func completeHandshake(_ request: HandshakeRequest) async {
        let delay = await endpoint.hooks.handshakeDelay()
        if delay > .zero { try? await clock.sleep(until: clock.now + delay) }
        guard !isClosed, case .waiting(let decoder) = handshake else { return }
        acceptHandshake(request, decoder: decoder)
    }

    private func acceptHandshake(_ request: HandshakeRequest, decoder: HubFrameDecoder) {
        guard let hubProtocol = endpoint.hubProtocol(named: request.protocolName) else {
            failHandshake("The protocol '\(request.protocolName)' is not supported.")
            return
        }
        guard request.version <= 2 else {
            failHandshake("The server does not support version \(request.version) of the '\(request.protocolName)' protocol.")
            return
        }
        if let kind = machine.transport, !kind.transferFormats.contains(hubProtocol.transferFormat) {
            failHandshake(
                "Cannot use the '\(hubProtocol.name)' protocol on the current transport. "
                    + "The transport does not support '\(hubProtocol.transferFormat.rawValue)' transfer format.")
            return
        }
        var decoder = decoder
        let rest: Result<[HubMessage], HubFrameDecoder.DecodingError>
        do throws(HubFrameDecoder.DecodingError) {
            rest = .success(try decoder.acceptHandshake(hubProtocol: hubProtocol))
        } catch {
            rest = .failure(error)
        }
        handshake = .done(hubProtocol, decoder, version: request.version)
        let stateful = statefulReconnect && request.version >= 2
        if stateful {
            messageBuffer = MessageBuffer(limit: endpoint.configuration.statefulReconnectBufferSize)
        }
        machine.handshakeCompleted(stateful: stateful, now: clock.now)
        rearmTimer()
        let transportRequest = firstRequest ?? TransportRequest(headers: [:], query: [:])
        info = HubConnectionInfo(
            connectionId: id, hubPath: endpoint.path, transport: machine.transport ?? .webSockets,
            headers: transportRequest.headers, query: transportRequest.query, accessToken: transportRequest.accessToken,
            protocolName: hubProtocol.name, protocolVersion: request.version)
        push(OutboundFrame(
            bytes: HandshakeProtocol.writeResponse(HandshakeResponse()),
            isBinary: hubProtocol.transferFormat == .binary))
        startConnectedHandlers()
        // Hub messages that came with the handshake request.
        switch rest {
        case .success(let messages):
            for message in messages { handle(message) }
        case .failure(let error):
            invalidMessage(error)
        }
    }

    private func receiveAfterHandshake(_ bytes: [UInt8]) {
        guard case .done(let hubProtocol, var decoder, let version) = handshake else { return }
        do throws(HubFrameDecoder.DecodingError) {
            let messages = try decoder.decode(bytes).messages
            handshake = .done(hubProtocol, decoder, version: version)
            for message in messages { handle(message) }
        } catch {
            invalidMessage(error)
        }
    }

    private func invalidMessage(_ error: HubFrameDecoder.DecodingError) {
        logger.debug("Closing connection after an invalid message", metadata: ["signalr.error": "\(error)"])
        close(.failed("Connection closed with an error."))
    }

    private func failHandshake(_ text: String) {
        logger.debug("Handshake refused", metadata: ["signalr.error": .string(text)])
        handshake = .failed
        machine.handshakeFailed()
        push(OutboundFrame(bytes: HandshakeProtocol.writeResponse(HandshakeResponse(error: text)), isBinary: false))
        close(.failed(text))
    }

    private func startConnectedHandlers() {
        let counters = endpoint.counters
        let handlers = endpoint.hub.connectedHandlers
        guard let context = makeContext() else { return }
        jobs.spawn {
            await counters.update { $0.handshakesCompleted += 1 }
            for handler in handlers { await handler(context) }
        }
    }

    /// The context hub methods of this connection get.
    func makeContext() -> HubContext? {
        guard let info else { return nil }
        return HubContext(connection: self, endpoint: endpoint, info: info)
    }

    /// Handles one hub message from the client.
    func handle(_ message: HubMessage) {
        if messageBuffer != nil, messageBuffer?.shouldProcess(message) == false {
            logger.trace("Skipped a message", metadata: ["signalr.type": "\(message.messageType)", "signalr.latestReceived": "\(messageBuffer?.latestReceived ?? -1)"])
            return  // already processed before a reconnect, or sent before the client's Sequence
        }
        if case .invocation(let invocation) = message {
            logger.trace("Invocation", metadata: ["signalr.invocationId": "\(invocation.invocationId ?? "-")", "signalr.latestReceived": "\(messageBuffer?.latestReceived ?? -1)"])
        }
        switch message {
        case .invocation(let invocation):
            startInvocation(invocation)
        case .streamInvocation(let invocation):
            startStreamInvocation(invocation)
        case .streamItem(let item):
            uploads[item.invocationId]?.yield(item.item)
        case .completion(let completion):
            complete(completion)
        case .cancelInvocation(let cancel):
            activeStreams[cancel.invocationId]?.cancel()
        case .ping:
            machine.pingReceived()
            rearmTimer()
        case .close:
            close(.client)
        case .ack(let ack):
            messageBuffer?.acknowledge(upTo: ack.sequenceId)
        case .sequence(let sequence):
            logger.debug("Client Sequence", metadata: [
                "signalr.sequenceId": "\(sequence.sequenceId)", "signalr.latestReceived": "\(messageBuffer?.latestReceived ?? -1)",
            ])
            if messageBuffer?.resetReceiving(to: sequence.sequenceId) == false {
                close(.failed("Sequence ID greater than amount of messages we've received."))
            }
        }
    }

    /// A client Completion ends a client result call or an upload stream.
    private func complete(_ completion: CompletionMessage) {
        if let continuation = pendingClientResults.removeValue(forKey: completion.invocationId) {
            switch completion.result {
            case .error(let text): continuation.resume(throwing: HubError(text))
            case .void: continuation.resume(returning: .null)
            case .value(let value): continuation.resume(returning: value)
            }
            return
        }
        if let upload = uploads.removeValue(forKey: completion.invocationId) {
            if let error = completion.error {
                upload.finish(throwing: HubError(error))
            } else {
                upload.finish()
            }
        }
    }
}

