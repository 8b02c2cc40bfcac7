import SignalRProtocol

/// One write waiting for the connection's writer task.
struct OutboundItem: Sendable {
    let bytes: [UInt8]
    /// Resumed once the transport took the bytes (or failed); nil for fire-and-forget writes.
    let written: CheckedContinuation<Void, any Error>?
}

/// One received Invocation with the handlers registered when it arrived.
struct DispatchItem: Sendable {
    let invocation: InvocationMessage
    let handlers: [HandlerEntry]
}

/// The plumbing of one transport connection of a ``HubConnection``: the transport, the
/// ordered outbound queue its writer task drains, and the queue of incoming calls that the
/// dispatch task runs in order.
struct ConnectionLink: Sendable {
    let generation: Int
    /// The generation of the link that began this logical connection. A transport resumed by
    /// stateful reconnect keeps it, with the dispatch queue: calls, client results and uploads
    /// belong to the connection, not to one transport.
    let session: Int
    let transport: any TransportConnection
    let connectionId: String?
    let outbound: AsyncStream<OutboundItem>.Continuation
    let dispatch: AsyncStream<DispatchItem>.Continuation
    let dispatchItems: AsyncStream<DispatchItem>
    /// The task running the receive, writer and timer loops; ends after the transport closed.
    let runTask: Task<Void, Never>

    /// Queues bytes without waiting for them to be written.
    func enqueue(_ bytes: [UInt8]) {
        outbound.yield(OutboundItem(bytes: bytes, written: nil))
    }

    /// Queues bytes and waits until the transport took them. Writes keep the order of calls.
    /// - Throws: the transport's error, or "Cannot send data…" when the connection has ended.
    func write(_ bytes: [UInt8], isolation: isolated (any Actor)? = #isolation) async throws {
        try await withCheckedThrowingContinuation(isolation: isolation) { (continuation: CheckedContinuation<Void, any Error>) in
            if case .terminated = outbound.yield(OutboundItem(bytes: bytes, written: continuation)) {
                continuation.resume(throwing: SignalRError.notConnected)
            }
        }
    }

    /// Ends the outbound queue only (the transport dropped and stateful reconnect resumes it:
    /// the dispatch queue goes on with the next link).
    func finishOutbound() {
        outbound.finish()
    }

    /// Ends both queues: the writer drains what is queued, the dispatch task runs what is queued.
    func finishQueues() {
        outbound.finish()
        dispatch.finish()
    }
}
