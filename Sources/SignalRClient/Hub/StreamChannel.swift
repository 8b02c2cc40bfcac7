import SignalRProtocol

/// The bounded buffer between the receive loop and the consumer of one server-to-client stream.
///
/// The receive loop ``offer(_:)``s items; when `capacity` items wait unread it gets
/// ``OfferOutcome/full`` and waits with ``waitForSpace()`` before offering again, so a slow
/// consumer holds back the whole connection (backpressure, as a bounded .NET channel does)
/// instead of growing memory. The consumer takes items with ``next()``. The stream ends
/// with ``finish(_:)`` (the Completion or the connection's end: buffered items are still
/// delivered first), or with ``cancel(_:)`` (the consumer left, its task was cancelled, or an
/// item did not decode: buffered items are dropped and the cancel hook asks the connection
/// to send CancelInvocation). Whatever ends it first wins; later ends do nothing.
final class StreamChannel: Sendable {
    enum OfferOutcome: Equatable {
        /// The item was buffered or handed to the waiting consumer.
        case accepted
        /// `capacity` items wait unread: wait for space, then offer again.
        case full
        /// The stream has ended (or its consumer left): the item is dropped.
        case dropped
    }

    private enum End {
        case completed
        case failed(any Error)
        case cancelled(any Error)
    }

    private struct State {
        var items: [HubValue] = []
        var head = 0
        var end: End?
        var consumer: CheckedContinuation<HubValue?, any Error>?
        var producer: CheckedContinuation<Void, Never>?
        /// Sends CancelInvocation; set once the StreamInvocation is registered.
        var cancelHook: (@Sendable () -> Void)?
        /// Called once when the stream ends, however it ends (stops its upload streams).
        var endHooks: [@Sendable () -> Void] = []

        var count: Int { items.count - head }

        mutating func popFirst() -> HubValue {
            let item = items[head]
            head += 1
            if head == items.count {
                items.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 64, head * 2 >= items.count {
                items.removeFirst(head)
                head = 0
            }
            return item
        }
    }

    /// The most items that may wait unread (at least 1).
    let capacity: Int
    private let state = Locked(State())

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    // MARK: Connection side

    /// Arms the stream: `cancelHook` sends CancelInvocation when the consumer leaves early.
    /// - Returns: false when the consumer already left (then nothing must be sent).
    func activate(cancelHook: @escaping @Sendable () -> Void) -> Bool {
        state.withLock { state in
            guard state.end == nil else { return false }
            state.cancelHook = cancelHook
            return true
        }
    }

    /// Runs `hook` once when the stream ends (at once if it already has).
    func onEnd(_ hook: @escaping @Sendable () -> Void) {
        let ended: Bool = state.withLock { state in
            guard state.end == nil else { return true }
            state.endHooks.append(hook)
            return false
        }
        if ended { hook() }
    }

    /// Offers one received item.
    func offer(_ item: HubValue) -> OfferOutcome {
        let (outcome, consumer): (OfferOutcome, CheckedContinuation<HubValue?, any Error>?) = state.withLock { state in
            guard state.end == nil else { return (.dropped, nil) }
            if let consumer = state.consumer {
                state.consumer = nil
                return (.accepted, consumer)
            }
            guard state.count < capacity else { return (.full, nil) }
            state.items.append(item)
            return (.accepted, nil)
        }
        consumer?.resume(returning: item)
        return outcome
    }

    /// Returns once an item can be offered, the stream has ended, or ``wakeProducer()`` is called.
    func waitForSpace() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready: Bool = state.withLock { state in
                guard state.end == nil, state.count >= capacity else { return true }
                state.producer = continuation
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Releases a receive loop waiting in ``waitForSpace()`` (its transport is closing).
    func wakeProducer() {
        let producer: CheckedContinuation<Void, Never>? = state.withLock { state in
            defer { state.producer = nil }
            return state.producer
        }
        producer?.resume()
    }

    /// Whether the consumer left before the stream ended (CancelInvocation is due).
    var isCancelled: Bool {
        state.withLock { state in
            if case .cancelled? = state.end { return true }
            return false
        }
    }

    /// Ends the stream: `error` nil for a Completion without error. Buffered items are still delivered.
    func finish(_ error: (any Error)?) {
        end(error.map { .failed($0) } ?? .completed, dropBuffered: false)
    }

    // MARK: Consumer side

    /// The next item; nil once the stream completed.
    /// - Throws: the stream's error; `CancellationError` when the task is cancelled (which
    ///   cancels the stream).
    func next() async throws -> HubValue? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HubValue?, any Error>) in
                let (ready, producer): (Result<HubValue?, any Error>?, CheckedContinuation<Void, Never>?) = state.withLock { state in
                    if state.count > 0 {
                        let item = state.popFirst()
                        defer { state.producer = nil }
                        return (.success(item), state.producer)
                    }
                    switch state.end {
                    case .completed?: return (.success(nil), nil)
                    case .failed(let error)?, .cancelled(let error)?: return (.failure(error), nil)
                    case nil:
                        state.consumer = continuation
                        return (nil, nil)
                    }
                }
                producer?.resume()
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            cancel(CancellationError())
        }
    }

    /// Ends the stream from the consumer's side with `error`: drops buffered items and, when
    /// the server may still be streaming, asks the connection to send CancelInvocation.
    func cancel(_ error: any Error) {
        end(.cancelled(error), dropBuffered: true)
    }

    private func end(_ reason: End, dropBuffered: Bool) {
        let (consumer, producer, cancelHook, endHooks, wake):
            (CheckedContinuation<HubValue?, any Error>?, CheckedContinuation<Void, Never>?, (@Sendable () -> Void)?,
             [@Sendable () -> Void], Result<HubValue?, any Error>?) = state.withLock { state in
                guard state.end == nil else { return (nil, nil, nil, [], nil) }
                state.end = reason
                if dropBuffered {
                    state.items.removeAll()
                    state.head = 0
                }
                let consumer = state.consumer
                let producer = state.producer
                let hooks = state.endHooks
                let cancelHook: (@Sendable () -> Void)? = if case .cancelled = reason { state.cancelHook } else { nil }
                state.consumer = nil
                state.producer = nil
                state.cancelHook = nil
                state.endHooks = []
                let wake: Result<HubValue?, any Error>
                switch reason {
                case .completed: wake = .success(nil)
                case .failed(let error), .cancelled(let error): wake = .failure(error)
                }
                return (consumer, producer, cancelHook, hooks, wake)
            }
        // A waiting consumer means the buffer is empty, so it gets the end at once.
        if let consumer, let wake { consumer.resume(with: wake) }
        producer?.resume()
        cancelHook?()
        endHooks.forEach { $0() }
    }
}
