/// What ended an HTTP transport connection: its receive side (with what it returned) or a
/// close request from ``TransportConnection/close()``.
enum HTTPConnectionEnd<Received: Sendable>: Sendable {
    case received(Received)
    case closeRequested
}

extension HTTPSendQueue {
    /// Runs an HTTP transport connection: its receive side (the SSE stream or the poll loop),
    /// this queue's send loop and the watch for close requests, together, until the receive side
    /// ends or a close is requested. Then closes the queue, which fails sends still queued, and
    /// cancels the rest. The send loop ending on its own decides nothing.
    func runConnection<Received: Sendable>(
        receive: @escaping @Sendable () async -> Received,
        post: @escaping @Sendable ([UInt8]) async throws -> Void,
        closeRequests: AsyncStream<Void>
    ) async -> HTTPConnectionEnd<Received> {
        await withTaskGroup(of: HTTPConnectionEnd<Received>?.self) { group in
            group.addTask { .received(await receive()) }
            group.addTask {
                await self.run(post: post)
                return nil
            }
            group.addTask {
                for await _ in closeRequests {}
                return .closeRequested
            }
            var end = HTTPConnectionEnd<Received>.closeRequested
            while let event = await group.next() {
                guard let event else { continue }
                end = event
                break
            }
            close(.httpTransportNotConnected)
            group.cancelAll()
            return end
        }
    }
}
