import Logging
import SignalRProtocol

extension ServerConnection {
    /// Attaches a transport request (a WebSocket, an SSE stream, or one poll).
    /// - Parameters:
    ///   - kind: the transport of the request.
    ///   - request: its headers and query; the first request's are what hub methods see.
    ///   - abort: cuts the underlying socket at once (WebSockets), for drops.
    func attach(_ kind: TransportKind, request: TransportRequest, abort: (@Sendable () -> Void)?) -> AttachResult {
        let session: Int
        let first: Bool
        let resume: Bool
        let abortPrevious: Bool
        switch machine.attach(kind, now: clock.now) {
        case .refused(let result):
            return result
        case .attached(let attached, let isFirst, let isResume, let abortsPrevious):
            (session, first, resume, abortPrevious) = (attached, isFirst, isResume, abortsPrevious)
        }
        if first { firstRequest = request }
        if abortPrevious { abortTransport?() }
        abortTransport = abort
        wakeWaiter()
        rearmTimer()
        if resume {
            outbox.frames.removeAll()
            resumeAfterReconnect()
        }
        if !inputBeforeTransport.isEmpty {
            // Bytes POSTed before the first poll (signalrcore sends its handshake first).
            jobs.spawn { await self.receive([]) }
        }
        return .attached(session: session)
    }

    /// Sends Sequence and replays the unacknowledged messages on a new transport.
    private func resumeAfterReconnect() {
        guard var buffer = messageBuffer, case .done(let hubProtocol, _, let version) = handshake else { return }
        buffer.resumed()
        messageBuffer = buffer
        // A message the old socket delivered in part is gone; the client replays it whole.
        handshake = .done(hubProtocol, .afterHandshake(hubProtocol: hubProtocol), version: version)
        let (firstId, messages) = buffer.replay
        logger.debug("Stateful resume", metadata: [
            "signalr.sequenceId": "\(firstId)", "signalr.replayed": "\(messages.count)",
            "signalr.latestReceived": "\(buffer.latestReceived)",
        ])
        let binary = hubProtocol.transferFormat == .binary
        if let sequence = try? hubProtocol.writeMessage(.sequence(SequenceMessage(sequenceId: firstId))) {
            push(OutboundFrame(bytes: sequence, isBinary: binary))
        }
        for bytes in messages { push(OutboundFrame(bytes: bytes, isBinary: binary)) }
        let counters = endpoint.counters
        jobs.spawn { await counters.update { $0.statefulReconnects += 1 } }
    }

    /// The transport request of `session` ended (socket closed, stream gone, poll answered).
    func detach(session ended: Int) {
        switch machine.detach(session: ended, now: clock.now) {
        case .none:
            return
        case .detached(let clearOutbox):
            abortTransport = nil
            if clearOutbox { outbox.frames.removeAll() }
            rearmTimer()
        case .close(let reason):
            abortTransport = nil
            close(reason)
        }
    }

    /// Waits for frames to send on the transport of `session`.
    /// - Parameter timeout: how long to wait when nothing is queued; nil to wait until the
    ///   connection ends or the calling task is cancelled.
    func nextFrames(session current: Int, timeout: Duration?) async -> OutboundBatch {
        let deadline = timeout.map { clock.now + $0 }
        while true {
            switch machine.frameSource(session: current) {
            case .attached:
                break
            case .closed(let reason):
                if reason == .dropped { return .ended(abrupt: true) }
                if !outbox.frames.isEmpty { return .frames(takeFrames()) }
                return .ended(abrupt: false)
            case .gone:
                return .ended(abrupt: false)
            }
            if !outbox.frames.isEmpty { return .frames(takeFrames()) }
            if Task.isCancelled { return .ended(abrupt: false) }
            if let deadline, deadline <= clock.now { return .timedOut }
            await waitForFrames(until: deadline)
        }
    }

    private func takeFrames() -> [OutboundFrame] {
        let frames = outbox.frames
        outbox.frames.removeAll(keepingCapacity: true)
        return frames
    }

    /// Suspends until frames are pushed, the connection changes, the deadline passes or
    /// the task is cancelled. Without a deadline this costs no task of its own (most of a
    /// WebSocket's or event stream's life is spent here).
    private func waitForFrames(until deadline: Duration?) async {
        await outboxWake.sleep(until: deadline, on: clock)
    }

    /// Answers one Long Polling GET.
    /// - Returns: the body to send with 200 (empty on the first poll and on timeout), or nil for 204.
    func poll(request: TransportRequest, timeout: Duration) async -> PollAnswer {
        if let reason = machine.closeReason, machine.transport == .longPolling {
            if reason == .dropped || machine.longPollEndDelivered { return .notFound }
            if !outbox.frames.isEmpty { return .messages(takeFrames().flatMap(\.bytes)) }
            longPollEndDelivered()
            return .noContent
        }
        let first = machine.isNegotiated
        let result = attach(.longPolling, request: request, abort: nil)
        guard case .attached(let current) = result else { return result == .notFound ? .notFound : .conflict(result) }
        defer { detach(session: current) }
        if first { return .messages([]) }
        switch await nextFrames(session: current, timeout: timeout) {
        case .frames(let frames):
            var body: [UInt8] = []
            for frame in frames { body.append(contentsOf: frame.bytes) }
            return .messages(body)
        case .timedOut:
            return .messages([])
        case .ended:
            // A drop ends the held poll as it ends later ones: 404, an error for the client
            // (204 would read as a clean close, and the answer would depend on timing).
            if machine.closeReason == .dropped { return .notFound }
            if isClosed { longPollEndDelivered() }
            return .noContent
        }
    }
}

/// The answer to a Long Polling GET.
enum PollAnswer: Sendable {
    /// 200 with this body (possibly empty).
    case messages([UInt8])
    /// 204: the connection is over.
    case noContent
    /// 404: no such connection.
    case notFound
    /// Another status: 409 or 400.
    case conflict(AttachResult)
}

extension ServerConnection {
    /// The transport of the connection's first request; nil before one arrived.
    func currentTransport() -> TransportKind? { machine.transport }
}
