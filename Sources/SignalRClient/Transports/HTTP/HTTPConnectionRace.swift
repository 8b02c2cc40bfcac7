/// What ended an HTTP transport connection: its receive side (with what it returned) or a
/// close request from ``TransportConnection/close()``.
enum HTTPConnectionEnd<Received: Sendable>: Sendable {
    case received(Received)
    case closeRequested
}

extension HTTPSendQueue {
    /// Runs an HTTP transport connection: its receive side (the SSE stream or the poll loop),
    /// this queue's send loop and the watch for close requests, until the receive side ends or
    /// a close is requested. Then closes the queue, which fails sends still queued.
    ///
    /// A close request cancels the `POST` in flight. When the receive side ends (the server
    /// ended the connection), the `POST` in flight is left to finish (bounded by its own
    /// timeout) and its caller gets the server's answer, as in the official client, whose
    /// sends are not aborted with the transport: the server may well have taken the message
    /// (a hub method that ends the connection, for one).
    func runConnection<Received: Sendable>(
        receive: @escaping @Sendable () async -> Received,
        post: @escaping @Sendable ([UInt8]) async throws -> Void,
        closeRequests: AsyncStream<Void>
    ) async -> HTTPConnectionEnd<Received> {
        let (sendCancel, cancelSends) = AsyncStream.makeStream(of: Void.self)
        return await withTaskGroup(of: Void.self) { sending in
            sending.addTask {
                await withTaskGroup(of: Void.self) { sender in
                    sender.addTask { await self.run(post: post) }
                    sender.addTask { for await _ in sendCancel {} }
                    // The send loop ends once the queue is closed; a close request ends the
                    // watcher first and so cancels the POST in flight.
                    await sender.next()
                    sender.cancelAll()
                }
            }
            let end = await withTaskGroup(of: HTTPConnectionEnd<Received>.self) { group in
                group.addTask { .received(await receive()) }
                group.addTask {
                    for await _ in closeRequests {}
                    return .closeRequested
                }
                let end = await group.next() ?? .closeRequested
                group.cancelAll()
                return end
            }
            close(.httpTransportNotConnected)
            if case .closeRequested = end { cancelSends.finish() }
            // Otherwise the watcher ends with the send loop.
            await sending.next()
            cancelSends.finish()
            return end
        }
    }
}
