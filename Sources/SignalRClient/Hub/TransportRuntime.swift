import SignalRProtocol

/// One received Invocation with the handlers registered when it arrived.
struct DispatchItem: Sendable {
    let invocation: InvocationMessage
    let handlers: [HandlerEntry]
}

/// The live side of one transport connection of a ``HubConnection`` (the machine knows it as a
/// `TransportLink`, by generation): the transport, the
/// ordered outbound queue its writer task drains, and the queue of incoming calls that the
/// dispatch task runs in order.
struct TransportRuntime: Sendable {
    let generation: Int
    /// The generation of the link that began this logical connection. A transport resumed by
    /// stateful reconnect keeps it, with the dispatch queue: calls, client results and uploads
    /// belong to the connection, not to one transport.
    let session: Int
    let transport: any TransportConnection
    let connectionId: String?
    /// The ordered outbound path: direct writes when idle, the writer task otherwise.
    let outbound: OutboundQueue
    let dispatch: AsyncStream<DispatchItem>.Continuation
    let dispatchItems: AsyncStream<DispatchItem>
    /// The transport's scope (a child of the owner task), which runs the receive, writer and
    /// timer loops inside it; ends after the transport closed.
    let runTask: ChildTask
    /// Stateful reconnect: reconnects the transport with the same connection token; nil when
    /// it was not negotiated.
    let resumeTransport: (@Sendable (TransportOpener) async throws -> TransportScope)?

    /// The machine's name for this link.
    var id: HubConnectionStateMachine.TransportLink {
        HubConnectionStateMachine.TransportLink(generation: generation, session: session, connectionId: connectionId)
    }

    /// Queues bytes without waiting for them to be written.
    func enqueue(_ bytes: [UInt8]) {
        outbound.enqueue(bytes)
    }

    /// Writes bytes and waits until the transport took them. Writes keep the order of calls.
    /// - Throws: the transport's error, or "Cannot send data…" when the connection has ended.
    func write(_ bytes: [UInt8], isolation: isolated (any Actor)? = #isolation) async throws {
        try await outbound.write(bytes)
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
