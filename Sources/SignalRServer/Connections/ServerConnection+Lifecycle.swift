import Logging
import NIOConcurrencyHelpers
import SignalRProtocol

extension ServerConnection {
    /// The connection's lifetime: starts its work (invocations, streams) as children and runs
    /// its timers, until it closes; then cancels what is still running and unregisters it. A
    /// child of the server's task.
    ///
    /// One task does both, waiting on one ``WakeSignal`` for new work (``ConnectionJobs``) and
    /// for its next deadline (woken by the hub's ``DeadlineScheduler``), so an idle connection
    /// costs this one task and no sleeping child. It runs off the actor and enters it only when
    /// a deadline is due: new work does not queue behind the connection's messages.
    nonisolated func run() async {
        await withDiscardingTaskGroup { group in
            var open = await armTimer(force: true)
            while open, !Task.isCancelled {
                for work in jobs.take() { group.addTask(operation: work) }
                if jobs.isFinished { break }
                if let due = armedDeadline.withLockedValue({ $0 }), clock.now >= due {
                    open = await timerDue()
                    continue
                }
                await ownerWake.sleep(until: nil, on: clock)
            }
            // Work accepted before the close starts too, so nothing it awaits, such as a
            // stream's task, outlives the connection unawaited. Finishing first (the loop may
            // have ended by cancellation, not by the close) makes this take the last: later
            // work is refused rather than accepted and never run.
            jobs.finish()
            for work in jobs.take() { group.addTask(operation: work) }
            // Invocations received before the close still run, as ASP.NET Core handles every
            // message it read before a Close and does not cancel hub methods on disconnect: a
            // client that sends and then stops at once loses nothing. `close(_:)` already ended
            // streams, uploads and client results; only a stopping server cuts the rest short.
            if await endsWorkEarly() { group.cancelAll() }
        }
        await finish()
    }

    private func endsWorkEarly() -> Bool {
        machine.closeReason == nil || machine.closeReason == .serverStopping
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

    /// The client sent DELETE (Long Polling stop): the connection ends and goes at once, as
    /// ASP.NET Core disposes and removes it. The client asked for the end, so no poll needs to
    /// learn of it: a poll held now is answered 204, a later one 404 (the connection is gone),
    /// and the connection does not stay findable until its disconnect timeout.
    func deleteRequested() {
        if !isClosed { close(.client) }
        longPollEndDelivered()
    }

    /// Ends the connection. Safe to call more than once; the first reason wins.
    func close(_ reason: CloseReason) {
        guard case .close(_, let closeMessage, let clearOutbox, let abort) = machine.close(reason) else { return }
        if clearOutbox { outbox.frames.removeAll() }
        if abort { abortTransport?() }
        if let closeMessage { sendAfterClose(.close(closeMessage)) }
        abortTransport = nil
        wakeWaiter()
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

    /// A deadline came: carries out what is due and arms the next one.
    /// - Returns: false once the connection has closed.
    private func timerDue() -> Bool {
        handle(machine.timerFired(now: clock.now, timeouts))
        return armTimer(force: true)
    }

    /// Asks the scheduler to wake the owner task when the next deadline is now earlier than the
    /// one it waits for (an event such as a detach moved it).
    func rearmTimer() {
        armTimer(force: false)
    }

    /// Arms the machine's next deadline: always when `force` (the owner starts or just handled
    /// one), otherwise only when it is earlier than the one armed. A later deadline needs
    /// nothing: the owner wakes at the armed one, finds nothing due, and arms the later one.
    /// - Returns: false once the connection has closed.
    @discardableResult
    private func armTimer(force: Bool) -> Bool {
        guard !isClosed else { return false }
        let next = machine.nextDeadline(timeouts)
        let schedule = armedDeadline.withLockedValue { armed -> Bool in
            if !force, let current = armed, let next, current <= next { return false }
            if !force, next == nil { return false }
            armed = next
            return next != nil
        }
        if schedule, let next { endpoint.scheduler.wake(ownerWake, at: next) }
        return true
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
