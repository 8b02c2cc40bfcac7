/// The send side of the HTTP transports (Server-Sent Events and Long Polling): one `POST` in
/// flight at a time, and the payloads queued meanwhile go together in the next `POST`, in order.
///
/// The official client's `TransportSendQueue`. Callers of ``send(_:)`` wait until the batch that
/// holds their payload was accepted; one sender loop (``run(post:)``, a task the transport owns)
/// takes the batches.
final class HTTPSendQueue: Sendable {
    /// The payloads of one `POST` and the callers waiting for it.
    struct Batch: Sendable {
        /// The payloads joined, in the order they were sent.
        var payload: [UInt8]
        fileprivate var waiters: [CheckedContinuation<Void, any Error>]

        /// Resumes every caller of the batch: normally, or with `error`.
        func complete(_ error: (any Error)?) {
            for waiter in waiters {
                if let error { waiter.resume(throwing: error) } else { waiter.resume() }
            }
        }
    }

    private struct Entry {
        var id: UInt64
        var bytes: [UInt8]
        var waiter: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var queued: [Entry] = []
        var sender: CheckedContinuation<Batch?, Never>?
        var closedError: SignalRError?
        var nextId: UInt64 = 0

        mutating func takeBatch() -> Batch {
            var batch = Batch(payload: [], waiters: [])
            for entry in queued {
                batch.payload += entry.bytes
                batch.waiters.append(entry.waiter)
            }
            queued.removeAll()
            return batch
        }
    }

    private let state = Locked(State())

    /// How many payloads wait for the next batch (tests use it to know a send was queued).
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
                enum Next { case fail(any Error), wake(CheckedContinuation<Batch?, Never>, Batch), wait }
                let next: Next = state.withLock { state in
                    if let error = state.closedError { return .fail(error) }
                    if Task.isCancelled { return .fail(CancellationError()) }
                    state.queued.append(Entry(id: id, bytes: bytes, waiter: waiter))
                    guard let sender = state.sender else { return .wait }
                    state.sender = nil
                    return .wake(sender, state.takeBatch())
                }
                switch next {
                case .fail(let error): waiter.resume(throwing: error)
                case .wake(let sender, let batch): sender.resume(returning: batch)
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

    /// Waits for the next batch: everything queued since the previous one.
    /// - Returns: nil once the queue is closed or the calling task is cancelled.
    func nextBatch() async -> Batch? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (sender: CheckedContinuation<Batch?, Never>) in
                let batch: Batch?? = state.withLock { state in
                    if state.closedError != nil || Task.isCancelled { return .some(nil) }
                    if !state.queued.isEmpty { return .some(state.takeBatch()) }
                    state.sender = sender
                    return .none
                }
                if let batch { sender.resume(returning: batch) }
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
    /// calls throw it, and the sender loop ends. A batch already taken still completes.
    /// Calling it again does nothing.
    func close(_ error: SignalRError) {
        let (queued, sender): ([Entry], CheckedContinuation<Batch?, Never>?) = state.withLock { state in
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

    /// The sender loop: takes each batch, `POST`s it with `post`, and completes its callers with
    /// the result. Returns when the queue is closed or the task is cancelled.
    func run(post: ([UInt8]) async throws -> Void) async {
        while let batch = await nextBatch() {
            do {
                try await post(batch.payload)
                batch.complete(nil)
            } catch {
                batch.complete(error)
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
