import Logging

/// One open Long Polling connection. Its job (``task``, see ``TransportJobs``) owns the poll
/// loop and the sender loop; ``close()`` stops both, sends the `DELETE` and waits for the job to end.
struct LongPollingConnection: TransportConnection {
    let frames: AsyncThrowingStream<[UInt8], any Error>
    let sendQueue: HTTPSendQueue
    let closeRequest: AsyncStream<Void>.Continuation
    let task: ChildTask
    let loop: LongPollingLoop

    var hasInherentKeepAlive: Bool { true }
    var prefersBatchedSends: Bool { true }
    var failedSendEndsConnection: Bool { false }

    /// The connection after a successful first poll whose body was `firstBody`, and the close
    /// requests its loop (run by `task`) must watch.
    static func make(session: LongPollingSession, firstBody: [UInt8], task: ChildTask) -> (Self, AsyncStream<Void>) {
        let (frames, framesContinuation) = AsyncThrowingStream.makeStream(of: [UInt8].self)
        let (closeRequests, closeContinuation) = AsyncStream.makeStream(of: Void.self)
        let sendQueue = HTTPSendQueue()
        if !firstBody.isEmpty { framesContinuation.yield(firstBody) }
        let loop = LongPollingLoop(session: session, frames: framesContinuation, sendQueue: sendQueue)
        let connection = LongPollingConnection(
            frames: frames, sendQueue: sendQueue, closeRequest: closeContinuation, task: task, loop: loop
        )
        return (connection, closeRequests)
    }

    /// Sends `data` in a `POST` of its own, after the sends made before it.
    /// - Throws: ``SignalRError`` (``SignalRError/Code/transportFailed``) when the `POST` fails or does
    ///   not answer 2xx (then with ``SignalRError/statusCode``), or when the connection is closed
    ///   ("Cannot send until the transport is connected").
    func send(_ data: [UInt8]) async throws {
        try await sendQueue.send(data)
    }

    /// Stops polling (cancels the poll in flight), fails queued sends, sends `DELETE {url}` and
    /// waits until the connection's task ended; ``frames`` then ends without error (unless the
    /// server had ended it first). The `DELETE` goes out once, whatever ended the polls first,
    /// as the official client's `stop()` always sends it: a poll the server answered 204 (after
    /// the client's Close message, say) does not spare it.
    func close() async {
        closeRequest.finish()
        await task.value
        await loop.delete()
    }
}

/// The work of one Long Polling connection, run by its task.
struct LongPollingLoop: Sendable {
    let session: LongPollingSession
    let frames: AsyncThrowingStream<[UInt8], any Error>.Continuation
    let sendQueue: HTTPSendQueue
    /// The `DELETE`: not sent yet, in flight (with the callers waiting for it), or done.
    private enum DeleteState: Sendable {
        case notSent
        case inFlight([CheckedContinuation<Bool, Never>])
        case done
    }

    /// The `DELETE` goes out once; every caller of ``delete()`` returns once it is done.
    private let deleteState = Locked(DeleteState.notSent)

    init(session: LongPollingSession, frames: AsyncThrowingStream<[UInt8], any Error>.Continuation, sendQueue: HTTPSendQueue) {
        self.session = session
        self.frames = frames
        self.sendQueue = sendQueue
    }

    /// Why polling stopped.
    enum PollEnd: Sendable {
        /// 204: the server ended the connection.
        case serverClosed
        /// Another status or a failed request.
        case failed(SignalRError)
        /// The task was cancelled (``TransportConnection/close()``).
        case cancelled
    }

    func run(closeRequests: AsyncStream<Void>) async {
        let logger = session.logger
        let outcome = await sendQueue.runConnection(
            receive: { await poll() }, post: { payload in try await post(payload) }, closeRequests: closeRequests)
        switch outcome {
        case .received(.serverClosed):
            logger.debug("(LongPolling transport) Poll terminated by server.")
            frames.finish()
        case .received(.failed(let error)):
            logger.debug("(LongPolling transport) Polling failed.", metadata: ["signalr.error": "\(error.message)"])
            frames.finish(throwing: error)
        case .received(.cancelled):
            frames.finish()
        case .closeRequested:
            await delete()
            frames.finish()
        }
        logger.trace("(LongPolling transport) Polling complete.")
    }

    /// Polls until the server ends the connection, a poll fails, or the task is cancelled.
    func poll() async -> PollEnd {
        let logger = session.logger
        while !Task.isCancelled {
            let response: HTTPTransportResponse
            do {
                response = try await session.client.execute(session.pollRequest())
            } catch {
                if Task.isCancelled { return .cancelled }
                if AsyncHTTPTransportClient.isTimeout(error) {
                    logger.trace("(LongPolling transport) Poll timed out, reissuing.")
                    continue
                }
                return .failed(LongPollingTransport.requestError(error))
            }
            switch response.head.status {
            case 204:
                return .serverClosed
            case 200 where response.body.isEmpty:
                logger.trace("(LongPolling transport) Poll timed out, reissuing.")
            case 200:
                logger.trace(
                    "(LongPolling transport) data received.",
                    metadata: ["signalr.bytes": "\(response.body.count)", "signalr.data": "\(PayloadPreview(response.body))"]
                )
                frames.yield(response.body)
            default:
                logger.debug(
                    "(LongPolling transport) Unexpected response code.",
                    metadata: ["signalr.status": "\(response.head.status)"]
                )
                return .failed(HTTPStatusError.make(response.head))
            }
        }
        return .cancelled
    }

    /// `POST`s one payload.
    /// - Throws: ``SignalRError`` for a failed request or a non-2xx answer.
    func post(_ payload: [UInt8]) async throws {
        session.logger.trace(
            "(LongPolling transport) sending data.",
            metadata: ["signalr.bytes": "\(payload.count)", "signalr.data": "\(PayloadPreview(payload))"]
        )
        let response: HTTPTransportResponse
        do {
            response = try await session.client.execute(session.sendRequest(payload))
        } catch {
            // Cancelled because the connection is closing: say so, not "request failed: CancellationError()".
            if Task.isCancelled { throw SignalRError.httpTransportNotConnected }
            throw LongPollingTransport.requestError(error)
        }
        session.logger.trace(
            "(LongPolling transport) request complete.", metadata: ["signalr.status": "\(response.head.status)"]
        )
        guard (200..<300).contains(response.head.status) else { throw HTTPStatusError.make(response.head) }
    }

    /// Sends the `DELETE` that ends the connection on the server, once; a caller that comes
    /// while it is in flight waits for it. Failures (a 404 when the server already forgot the
    /// connection, a network error) are logged and ignored.
    func delete() async {
        let first: Bool = await withCheckedContinuation { (waiter: CheckedContinuation<Bool, Never>) in
            let answer: Bool? = deleteState.withLock { state in
                switch state {
                case .notSent:
                    state = .inFlight([])
                    return true
                case .done:
                    return false
                case .inFlight(var waiters):
                    waiters.append(waiter)
                    state = .inFlight(waiters)
                    return nil
                }
            }
            if let answer { waiter.resume(returning: answer) }
        }
        guard first else { return }
        defer {
            let waiters: [CheckedContinuation<Bool, Never>] = deleteState.withLock { state in
                defer { state = .done }
                guard case .inFlight(let waiters) = state else { return [] }
                return waiters
            }
            // The waiters return: the DELETE is done.
            waiters.forEach { $0.resume(returning: false) }
        }
        let logger = session.logger
        logger.trace("(LongPolling transport) sending DELETE request.")
        do {
            let response = try await session.client.execute(session.deleteRequest())
            logger.trace("(LongPolling transport) DELETE request sent.", metadata: ["signalr.status": "\(response.head.status)"])
        } catch {
            logger.debug("(LongPolling transport) DELETE request failed.", metadata: ["signalr.error": "\(error)"])
        }
    }
}
