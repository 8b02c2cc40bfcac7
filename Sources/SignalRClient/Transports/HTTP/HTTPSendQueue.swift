/// The send side of the HTTP transports (Server-Sent Events and Long Polling): one `POST` in
/// flight at a time, each payload in its own `POST`, in the order the sends were made.
///
/// Payloads are not joined here. Joining what queued during a `POST` is the hub connection's
/// job (``OutboundQueue``, the one place that batches), as in the official client, whose
/// `TransportSendQueue` sits in its `HttpConnection`, above the transports. Callers of
/// ``send(_:)`` wait until their `POST` was accepted; one sender loop (``run(post:)``, a task
/// the transport owns) makes the requests.
final class HTTPSendQueue: Sendable {
    /// One payload to `POST` and the caller waiting for it.
    struct Request: Sendable {
        var payload: [UInt8]
        fileprivate var waiter: CheckedContinuation<Void, any Error>

        /// Resumes the caller: normally, or with `error`.
        func complete(_ error: (any Error)?) {
            if let error { waiter.resume(throwing: error) } else { waiter.resume() }
        }
    }

    private struct Entry {
        var id: UInt64
        var bytes: [UInt8]
        var waiter: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var queued: [Entry] = []
        var sender: CheckedContinuation<Request?, Never>?
        var closedError: SignalRError?
        var nextId: UInt64 = 0

        mutating func takeFirst() -> Request {
            let entry = queued.removeFirst()
            return Request(payload: entry.bytes, waiter: entry.waiter)
        }
    }

    private let state = Locked(State())

    /// How many payloads wait for their `POST` (tests use it to know a send was queued).
    var queuedCount: Int { state.withLock { $0.queued.count } }

    /// Queues `bytes` and waits until the `POST` carrying them was accepted.
    ///
    /// Cancelling the caller while the payload is still queued removes it (it is not sent) and
    /// throws `CancellationError`; once its `POST` started, the call waits for that `POST`.
    /// - Throws: the `POST`'s error, or the error given to ``close(_:)``.
    func send(_ bytes: [UInt8]) async throws {
        let id = state.withLock { state in
            state.nextId += 1
            return state.nextId
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (waiter: CheckedContinuation<Void, any Error>) in
                enum Next { case fail(any Error), wake(CheckedContinuation<Request?, Never>, Request), wait }
                let next: Next = state.withLock { state in
                    if let error = state.closedError { return .fail(error) }
                    if Task.isCancelled { return .fail(CancellationError()) }
                    state.queued.append(Entry(id: id, bytes: bytes, waiter: waiter))
                    guard let sender = state.sender else { return .wait }
                    state.sender = nil
                    return .wake(sender, state.takeFirst())
                }
                switch next {
                case .fail(let error): waiter.resume(throwing: error)
                case .wake(let sender, let request): sender.resume(returning: request)
                case .wait: break
                }
            }
        } onCancel: {
            let removed: Entry? = state.withLock { state in
                guard let index = state.queued.firstIndex(where: { $0.id == id }) else { return nil }
                return state.queued.remove(at: index)
            }
            removed?.waiter.resume(throwing: CancellationError())
        }
    }

    /// Waits for the next payload to `POST`, the oldest queued.
    /// - Returns: nil once the queue is closed or the calling task is cancelled.
    func nextRequest() async -> Request? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (sender: CheckedContinuation<Request?, Never>) in
                let request: Request?? = state.withLock { state in
                    if state.closedError != nil || Task.isCancelled { return .some(nil) }
                    if !state.queued.isEmpty { return .some(state.takeFirst()) }
                    state.sender = sender
                    return .none
                }
                if let request { sender.resume(returning: request) }
            }
        } onCancel: {
            let sender = state.withLock { state in
                defer { state.sender = nil }
                return state.sender
            }
            sender?.resume(returning: nil)
        }
    }

    /// Closes the queue: queued payloads fail with `error` (they are not sent), later ``send(_:)``
    /// calls throw it, and the sender loop ends. A `POST` already started still completes.
    /// Calling it again does nothing.
    func close(_ error: SignalRError) {
        let (queued, sender): ([Entry], CheckedContinuation<Request?, Never>?) = state.withLock { state in
            guard state.closedError == nil else { return ([], nil) }
            state.closedError = error
            defer {
                state.queued.removeAll()
                state.sender = nil
            }
            return (state.queued, state.sender)
        }
        for entry in queued { entry.waiter.resume(throwing: error) }
        sender?.resume(returning: nil)
    }

    /// The sender loop: takes each payload in order, `POST`s it with `post`, and completes its
    /// caller with the result. Returns when the queue is closed or the task is cancelled.
    func run(post: ([UInt8]) async throws -> Void) async {
        while let request = await nextRequest() {
            do {
                try await post(request.payload)
                request.complete(nil)
            } catch {
                request.complete(error)
            }
        }
    }
}

extension SignalRError {
    /// The official client's text for a send on a transport that is not (or no longer) connected.
    static let httpTransportNotConnected = SignalRError(
        .transportFailed, "Cannot send until the transport is connected"
    )
}
