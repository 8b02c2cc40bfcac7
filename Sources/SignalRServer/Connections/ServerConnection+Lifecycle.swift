import Logging
import SignalRProtocol

extension ServerConnection {
    /// The connection's lifetime: runs its invocations and timers until it closes, then
    /// cancels what is still running and unregisters it. A child of the server's task.
    func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.jobs.run() }
            // The timers run in this task itself (one task less per connection): they end
            // once the connection closed, and the rest is cancelled then.
            await runTimers()
            group.cancelAll()
        }
        await finish()
    }

    private func finish() async {
        if machine.transport == .longPolling, !machine.longPollEndDelivered, let reason = machine.closeReason,
            reason != .dropped, reason != .serverStopping
        {
            // Keep the connection findable until its last poll learned that it ended (204).
            await waitForLongPollEnd(timeout: timeouts.disconnect)
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
        let clock = clock
        let deadline = clock.now + timeout
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await clock.sleep(until: deadline)
                await self.releaseLongPollEndWaiter()
            }
            if !machine.longPollEndDelivered {
                await withCheckedContinuation { longPollEndWaiter = $0 }
            }
            group.cancelAll()
        }
    }

    func releaseLongPollEndWaiter() {
        longPollEndWaiter?.resume()
        longPollEndWaiter = nil
    }

    /// A poll or a DELETE told the Long Polling client that the connection ended.
    func longPollEndDelivered() {
        machine.longPollEndWasDelivered()
        releaseLongPollEndWaiter()
    }

    /// The client sent DELETE (Long Polling stop): the connection ends; a poll still to come
    /// gets 204. When the server had closed it already, the DELETE shows that the client saw
    /// the end (its Close message), so no poll needs to learn of it and the connection goes
    /// at once instead of staying findable until its disconnect timeout.
    func deleteRequested() {
        if isClosed {
            longPollEndDelivered()
        } else {
            close(.client)
        }
    }

    /// Ends the connection. Safe to call more than once; the first reason wins.
    func close(_ reason: CloseReason) {
        guard case .close(_, let closeMessage, let clearOutbox, let abort) = machine.close(reason) else { return }
        if clearOutbox { outbox.frames.removeAll() }
        if abort { abortTransport?() }
        if let closeMessage { sendAfterClose(.close(closeMessage)) }
        abortTransport = nil
        wakeWaiter()
        timerWake.wake()
        for invocationId in pendingClientResults.keys {
            failClientResult(invocationId, HubError("Connection '\(id)' disconnected."))
        }
        for upload in uploads.values { upload.finish(throwing: CancellationError()) }
        uploads.removeAll()
        for task in activeStreams.values { task.cancel() }
        jobs.finish()
        invocationQueue.finish()
    }

    /// Queues the Close message of a connection that just closed (``send(_:)`` refuses once closed).
    private func sendAfterClose(_ message: HubMessage) {
        guard case .done(let hubProtocol, _, _) = handshake, let bytes = try? hubProtocol.writeMessage(message) else { return }
        outbox.frames.append(OutboundFrame(bytes: bytes, isBinary: hubProtocol.transferFormat == .binary))
    }

    /// Cuts the transport without a Close message. With stateful reconnect the connection
    /// waits for the client to come back; otherwise it ends.
    func drop() {
        switch machine.drop(now: clock.now) {
        case .detach:
            abortTransport?()
            abortTransport = nil
            outbox.frames.removeAll()
            wakeWaiter()
            rearmTimer()
        case .close:
            close(.dropped)
        }
    }

    // MARK: Timers

    /// Sleeps until the machine's next deadline (or an event that moves it earlier) and
    /// carries out what is due, until the connection closes or the task is cancelled.
    private func runTimers() async {
        while !isClosed, !Task.isCancelled {
            let deadline = machine.nextDeadline(timeouts)
            armedDeadline = deadline
            await timerWake.sleep(until: deadline, on: clock)
            armedDeadline = nil
            handle(machine.timerFired(now: clock.now, timeouts))
        }
    }

    /// Wakes the timer loop when the next deadline is now earlier than the one it sleeps for.
    func rearmTimer() {
        guard let next = machine.nextDeadline(timeouts) else { return }
        if armedDeadline.map({ next < $0 }) ?? true { timerWake.wake() }
    }

    private func handle(_ action: ServerConnectionStateMachine.TimerAction) {
        switch action {
        case .none:
            break
        case .failHandshake:
            push(OutboundFrame(
                bytes: HandshakeProtocol.writeResponse(HandshakeResponse(error: "Handshake was canceled.")), isBinary: false))
            close(.failed(nil))
        case .close(let reason):
            if reason == .failed(nil), machine.transport != nil {
                logger.debug("Client timeout or disconnect timeout elapsed; closing")
            }
            close(reason)
        case .send(let ping, let ack):
            if ping { send(.ping) }
            if ack, let sequenceId = messageBuffer?.takeAck() { send(.ack(AckMessage(sequenceId: sequenceId))) }
        }
    }
}
