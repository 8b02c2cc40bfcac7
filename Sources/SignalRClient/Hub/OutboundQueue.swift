import SignalRProtocol

/// The ordered outbound path of one transport connection.
///
/// Messages reach the transport in the order they were handed in. The common case, a write
/// when nothing else is queued or being written, goes straight to the transport from the
/// caller's task: no other task wakes up, which is most of what a sequential `invoke`
/// costs beyond a bare WebSocket echo. Everything else (writes that arrive while one is in
/// flight, pings, acks, the handshake) waits here for the connection's writer task, which
/// sends all that is queued in one transport send, the hub messages concatenated in order
/// (SignalR frames each message itself, so one WebSocket frame or one POST may carry many).
/// This is the only place that batches.
///
/// One owner writes at a time: the caller writing directly, or the writer task. A caller
/// only writes directly when the queue is empty, so nothing overtakes what is queued.
final class OutboundQueue: Sendable {
    /// What to do when a queued message was written or could not be.
    enum Completion: Sendable {
        /// Nothing: fire and forget (pings, acks, the handshake request).
        case none
        /// Resume the writer's caller.
        case written(CheckedContinuation<Void, any Error>)
        /// An invocation's message. A written one waits for its Completion. When a failed write
        /// ends the connection (see ``TransportConnection/failedSendEndsConnection``), the
        /// connection's end fails the invocation with its cause (or stateful reconnect replays
        /// the message), not with what the write saw while the connection was ending; otherwise
        /// the write's error fails it, as the official client rejects the invoke.
        case invocation(InvocationWaiter)
    }

    struct Item: Sendable {
        let bytes: [UInt8]
        let completion: Completion
    }

    /// What the writer task does next.
    enum WriterWork: Sendable {
        /// Send these items in one transport send.
        case send([Item])
        /// A write failed with this error: close the transport.
        case closeTransport(SignalRError)
        /// The queue is finished and drained.
        case finished
    }

    /// Who is writing to the transport now; everyone else queues.
    private enum Owner {
        case none
        /// A caller writing directly.
        case direct
        /// The writer task, with work it was handed.
        case writer
    }

    private struct State {
        var owner = Owner.none
        var items: [Item] = []
        /// The writer task, waiting for work.
        var writer: CheckedContinuation<WriterWork, Never>?
        /// No more items are accepted; the writer drains what is queued, then ends.
        var finished = false
        /// The first write failure: later items fail with it.
        var failure: SignalRError?
        /// A failure the writer task has not acted on yet (it closes the transport).
        var closePending: SignalRError?
    }

    private let state = Locked(State())
    let transport: any TransportConnection

    init(transport: any TransportConnection) {
        self.transport = transport
    }

    // MARK: Callers

    /// Writes `bytes` and returns once the transport took them: directly when nothing is queued
    /// or in flight, otherwise after the writer task sent everything queued before it.
    ///
    /// The order is decided on the caller's actor, before anything suspends: writes from one
    /// actor (the hub connection) reach the transport in the order they were made, which
    /// stateful reconnect's sequence ids rely on.
    /// - Throws: the transport's error, or ``SignalRError/notConnected`` once the queue ended.
    func write(_ bytes: [UInt8], isolation: isolated (any Actor)? = #isolation) async throws {
        if beginDirectWrite() {
            try await writeDirectly(bytes)
            return
        }
        try await withCheckedThrowingContinuation(isolation: isolation) { (continuation: CheckedContinuation<Void, any Error>) in
            enqueue(Item(bytes: bytes, completion: .written(continuation)))
        }
    }

    /// Writes an invocation's message without waiting for the writer task: directly when
    /// possible, otherwise queued. A failed queued write fails `waiter` only on a transport
    /// where it does not end the connection (otherwise the connection's end does; see
    /// ``Completion/invocation(_:)``).
    /// - Throws: the transport's error (or ``SignalRError/notConnected``) of a direct write.
    func writeInvocation(_ bytes: [UInt8], waiter: InvocationWaiter, isolation: isolated (any Actor)? = #isolation) async throws {
        if beginDirectWrite() {
            try await writeDirectly(bytes)
            return
        }
        enqueue(Item(bytes: bytes, completion: .invocation(waiter)))
    }

    /// Queues bytes for the writer task without waiting.
    func enqueue(_ bytes: [UInt8]) {
        enqueue(Item(bytes: bytes, completion: .none))
    }

    /// Accepts nothing more; the writer task sends what is queued, then ends.
    func finish() {
        let writer: CheckedContinuation<WriterWork, Never>? = state.withLock { state in
            state.finished = true
            guard state.owner == .none, state.items.isEmpty, let writer = state.writer else { return nil }
            state.writer = nil
            return writer
        }
        writer?.resume(returning: .finished)
    }

    private func enqueue(_ item: Item) {
        enum Next {
            case fail(SignalRError)
            case wake(CheckedContinuation<WriterWork, Never>, [Item])
            case none
        }
        let next: Next = state.withLock { state in
            if let failure = state.failure { return .fail(failure) }
            if state.finished { return .fail(SignalRError.notConnected) }
            state.items.append(item)
            // With no owner and the writer not waiting yet, the writer takes the items when it asks.
            guard state.owner == .none, let writer = state.writer else { return .none }
            state.writer = nil
            state.owner = .writer
            defer { state.items = [] }
            return .wake(writer, state.items)
        }
        switch next {
        case .fail(let error): Self.complete([item], with: error)
        case .wake(let writer, let items): writer.resume(returning: .send(items))
        case .none: break
        }
    }

    /// Claims the transport for a direct write when nothing is queued or being written, and
    /// the calling task is not cancelled (NIO drops writes of a cancelled task, which must not
    /// count as a failed transport).
    private func beginDirectWrite() -> Bool {
        guard !Task.isCancelled else { return false }
        return state.withLock { state in
            guard state.owner == .none, state.items.isEmpty, !state.finished, state.failure == nil else { return false }
            state.owner = .direct
            return true
        }
    }

    private func writeDirectly(_ bytes: [UInt8]) async throws {
        do {
            try await transport.send(bytes)
        } catch {
            let failure = SignalRError.wrapping(error)
            if transport.failedSendEndsConnection {
                failed(failure)
            } else {
                handOver()
            }
            throw failure
        }
        handOver()
    }

    /// A direct write ended: what was queued meanwhile goes to the writer task.
    private func handOver() {
        let wake: (CheckedContinuation<WriterWork, Never>, WriterWork)? = state.withLock { state in
            guard let writer = state.writer else {
                // The writer task has not asked for work yet; it takes the items when it does.
                state.owner = .none
                return nil
            }
            if !state.items.isEmpty {
                state.writer = nil
                state.owner = .writer
                defer { state.items = [] }
                return (writer, .send(state.items))
            }
            state.owner = .none
            guard state.finished else { return nil }
            state.writer = nil
            return (writer, .finished)
        }
        if let (writer, work) = wake { writer.resume(returning: work) }
    }

    /// A write failed: later and queued items fail with `failure`; the writer closes the transport.
    private func failed(_ failure: SignalRError) {
        let (queued, wake): ([Item], (CheckedContinuation<WriterWork, Never>, SignalRError)?) = state.withLock { state in
            if state.failure == nil {
                state.failure = failure
                state.closePending = failure
            }
            if state.owner == .direct { state.owner = .none }
            defer { state.items = [] }
            // A waiting writer closes the transport now; otherwise it sees `closePending` when it asks.
            guard let close = state.closePending, let writer = state.writer else { return (state.items, nil) }
            state.writer = nil
            state.closePending = nil
            return (state.items, (writer, close))
        }
        Self.complete(queued, with: failure)
        if let (writer, close) = wake { writer.resume(returning: .closeTransport(close)) }
    }

    // MARK: The writer task

    /// The next work for the writer task; waits until there is some.
    func nextWork() async -> WriterWork {
        await withCheckedContinuation { (continuation: CheckedContinuation<WriterWork, Never>) in
            let work: WriterWork? = state.withLock { state in
                // The writer's previous work is done.
                if state.owner == .writer { state.owner = .none }
                if let close = state.closePending {
                    state.closePending = nil
                    return .closeTransport(close)
                }
                guard state.owner == .none else {
                    // A direct write is in flight; its hand-over brings the work.
                    state.writer = continuation
                    return nil
                }
                if !state.items.isEmpty {
                    state.owner = .writer
                    defer { state.items = [] }
                    return .send(state.items)
                }
                if state.finished { return .finished }
                state.writer = continuation
                return nil
            }
            if let work { continuation.resume(returning: work) }
        }
    }

    /// Runs the writer task until the queue is finished and drained. After a failed write it
    /// calls `closeTransport` once with the write's error and fails everything later.
    func runWriter(closeTransport: @Sendable (SignalRError) async -> Void) async {
        while true {
            switch await nextWork() {
            case .finished:
                return
            case .closeTransport(let error):
                await closeTransport(error)
            case .send(let items):
                await send(items)
            }
        }
    }

    /// Splits `items` into runs whose joined size stays within `limit` bytes (a larger item
    /// goes alone), in order.
    static func batches(_ items: [Item], limit: Int) -> [ArraySlice<Item>] {
        var batches: [ArraySlice<Item>] = []
        var start = items.startIndex
        var size = 0
        for index in items.indices {
            let count = items[index].bytes.count
            if index > start, size + count > limit {
                batches.append(items[start..<index])
                start = index
                size = 0
            }
            size += count
        }
        if start < items.endIndex { batches.append(items[start...]) }
        return batches
    }

    /// Sends `items` in one transport send when the transport prefers batches (within its
    /// ``TransportConnection/maximumBatchSize``), otherwise one
    /// by one; stops at the first failure and fails what was not sent.
    private func send(_ items: [Item]) async {
        let batches = transport.prefersBatchedSends
            ? Self.batches(items, limit: transport.maximumBatchSize) : items.indices.map { items[$0...$0] }
        for (index, batch) in batches.enumerated() {
            do {
                try await transport.send(batch.count == 1 ? batch[batch.startIndex].bytes : batch.flatMap(\.bytes))
                Self.complete(Array(batch), with: nil)
            } catch {
                let failure = SignalRError.wrapping(error)
                guard transport.failedSendEndsConnection else {
                    // Only this request failed: what it carried fails, invocations included.
                    Self.complete(Array(batch), with: failure, failingInvocations: true)
                    continue
                }
                Self.complete(batches[index...].flatMap { $0 }, with: failure)
                failed(failure)
                return
            }
        }
    }

    /// - Parameter failingInvocations: whether a failure fails invocations too (when it does not
    ///   end the connection, nothing else would).
    private static func complete(_ items: [Item], with failure: SignalRError?, failingInvocations: Bool = false) {
        for item in items {
            switch item.completion {
            case .none: break
            case .written(let continuation):
                if let failure { continuation.resume(throwing: failure) } else { continuation.resume() }
            case .invocation(let waiter):
                if let failure, failingInvocations { waiter.finish(.failure(failure)) }
            }
        }
    }
}
