import Logging
import SignalRProtocol

/// The loops of one transport connection, run inside the transport's scope
/// (``TransportScope``): the receive loop (frames → handshake → hub messages, on the actor),
/// the writer (the ordered outbound queue → the transport) and the timer (handshake timeout,
/// keep-alive, server timeout). Uploads and received calls belong to the connection's
/// session task instead, which outlives a transport resumed by stateful reconnect. The loops
/// return once the transport has closed, the actor has been told, and the writer has drained
/// its queue; the scope then ends.
struct TransportRunner: Sendable {
    let generation: Int
    let transport: any TransportConnection
    let hubProtocol: any HubProtocol
    let clock: ErasedClock
    let logger: Logger
    /// False for a transport resumed by stateful reconnect: hub messages come at once.
    var awaitsHandshake = true

    /// Runs the loops; returns once they have all ended. Runs on `connection` (the receive loop
    /// is the actor's), so the receive loop can start the closer in this task's group only when
    /// it asks for a close: an idle connection keeps no task waiting for a close request.
    func run(outbound: OutboundQueue, on connection: isolated HubConnection) async {
        // The writer and the timer are `async let` children rather than a task group's: they
        // live in this task's allocator, which costs less memory per connection.
        async let writing: Void = outbound.runWriter { error in
            await connection.writeFailed(generation: generation, error: error)
        }
        do {
            // Cancelled (and awaited) when this block ends: once the transport has closed.
            async let _ = timerLoop(connection)
            await withDiscardingTaskGroup { closer in
                // The receive loop cannot close the transport itself (closing waits for the
                // reading to end), so a child closes it, once.
                var closeRequested = false
                let error = await connection.receiveFrames(
                    of: transport, generation: generation, expectingHandshake: awaitsHandshake,
                    requestClose: {
                        guard !closeRequested else { return }
                        closeRequested = true
                        closer.addTask { [transport] in await transport.close() }
                    }
                )
                await connection.transportClosed(generation: generation, error: error)
                closer.cancelAll()
            }
        }
        // The writer drains its queue and returns once the transport has closed.
        await writing
    }

    /// Sleeps until the next deadline the state machine names, then asks again.
    private func timerLoop(_ connection: HubConnection) async {
        while !Task.isCancelled, let deadline = await connection.timerFired(generation: generation) {
            do { try await clock.sleep(until: deadline) } catch { return }
        }
    }
}
