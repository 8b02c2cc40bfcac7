import Logging
import SignalRProtocol

extension ServerConnection {
    /// The connection's lifetime: runs its invocations and timers until it closes, then
    /// cancels what is still running and unregisters it. A child of the server's task.
    func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.jobs.run() }
            group.addTask { await self.invocationQueue.run() }
            group.addTask { await self.heartbeat() }
            for await _ in closeSignal.stream {}
            group.cancelAll()
        }
        await finish()
    }

    private func finish() async {
        if transportKind == .longPolling, !longPollEndDelivered, case .closed(let reason) = phase,
            reason != .dropped, reason != .serverStopping
        {
            // Keep the connection findable until its last poll learned that it ended (204).
            await waitForLongPollEnd(timeout: endpoint.configuration.disconnectTimeout)
        }
        if let context = makeContext() {
            for handler in endpoint.hub.disconnectedHandlers { await handler(context) }
        }
        await endpoint.registry.remove(self)
        await endpoint.counters.update { $0.openConnections -= 1 }
    }

    /// Returns once a poll or a DELETE told the client that the connection ended, after
    /// `timeout`, or when the task is cancelled (the server is stopping).
    private func waitForLongPollEnd(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await Task.sleep(for: timeout)
                await self.releaseLongPollEndWaiter()
            }
            if !longPollEndDelivered {
                await withCheckedContinuation { longPollEndWaiter = $0 }
            }
            group.cancelAll()
        }
    }

    func releaseLongPollEndWaiter() {
        longPollEndWaiter?.resume()
        longPollEndWaiter = nil
    }

    /// The client sent DELETE (Long Polling stop): the connection ends; a poll still to come
    /// gets 204. When the server had closed it already, the DELETE shows that the client saw
    /// the end (its Close message), so no poll needs to learn of it and the connection goes
    /// at once instead of staying findable until its disconnect timeout.
    func deleteRequested() {
        if isClosed {
            longPollEndDelivered = true
        } else {
            close(.client)
        }
    }

    /// Ends the connection. Safe to call more than once; the first reason wins.
    func close(_ reason: CloseReason) {
        guard !isClosed else { return }
        let handshakeDone = negotiatedProtocol() != nil
        switch reason {
        case .dropped:
            outbox.frames.removeAll()
            abortTransport?()
        case .client:
            outbox.frames.removeAll()
        case .server(let error, let allowReconnect):
            if handshakeDone { send(.close(CloseMessage(error: error, allowReconnect: allowReconnect))) }
        case .failed(let error):
            if handshakeDone { send(.close(CloseMessage(error: error))) }
        case .serverStopping:
            if handshakeDone { send(.close(CloseMessage())) }
        }
        abortTransport = nil
        phase = .closed(reason)
        wakeWaiter()
        for invocationId in pendingClientResults.keys {
            failClientResult(invocationId, HubError("Connection '\(id)' disconnected."))
        }
        for upload in uploads.values { upload.finish(throwing: CancellationError()) }
        uploads.removeAll()
        for task in activeStreams.values { task.cancel() }
        jobs.finish()
        invocationQueue.finish()
        closeSignal.continuation.finish()
    }

    /// Cuts the transport without a Close message. With stateful reconnect the connection
    /// waits for the client to come back; otherwise it ends.
    func drop() {
        if messageBuffer != nil, case .attached = phase {
            abortTransport?()
            abortTransport = nil
            outbox.frames.removeAll()
            phase = .detached(since: .now)
            wakeWaiter()
        } else {
            close(.dropped)
        }
    }

    /// Checks the timers every tick until cancelled.
    private func heartbeat() async {
        let configuration = endpoint.configuration
        let tick = min(
            configuration.keepAliveInterval / 2, configuration.clientTimeoutInterval / 4,
            configuration.handshakeTimeout / 4, configuration.ackInterval / 2, .seconds(1))
        while !Task.isCancelled {
            try? await Task.sleep(for: max(tick, .milliseconds(5)))
            checkTimers(now: .now)
        }
    }

    private func checkTimers(now: ContinuousClock.Instant) {
        let configuration = endpoint.configuration
        switch phase {
        case .closed:
            return
        case .idle:
            if now - createdAt > configuration.disconnectTimeout { close(.failed(nil)) }
            return
        case .detached(let since):
            if now - since > configuration.disconnectTimeout { close(.failed(nil)) }
            return
        case .attached:
            break
        }
        switch handshake {
        case .waiting:
            if let started = handshakeStartedAt, now - started > configuration.handshakeTimeout {
                failHandshakeOnTimeout()
            }
        case .failed:
            return
        case .done:
            if clientTimeoutActive, now - lastReceiveAt > configuration.clientTimeoutInterval {
                logger.debug("Client timeout elapsed without receiving a message from the client; closing")
                close(.failed(nil))
                return
            }
            if transportKind != .longPolling, now - lastSendAt >= configuration.keepAliveInterval {
                send(.ping)
            }
            if messageBuffer != nil, now - lastAckAt >= configuration.ackInterval {
                lastAckAt = now
                if let ack = messageBuffer?.takeAck() { send(.ack(AckMessage(sequenceId: ack))) }
            }
        }
    }

    private func failHandshakeOnTimeout() {
        handshake = .failed
        push(OutboundFrame(
            bytes: HandshakeProtocol.writeResponse(HandshakeResponse(error: "Handshake was canceled.")), isBinary: false))
        close(.failed(nil))
    }
}

/// A one-shot signal: finishing the continuation ends every iteration of the stream.
struct CloseSignal: Sendable {
    let stream: AsyncStream<Void>
    let continuation: AsyncStream<Void>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self)
    }
}
