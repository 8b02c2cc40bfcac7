import Logging
import SignalRProtocol

/// The three loops of one transport connection (uploads and received calls belong to the
/// connection's session task instead, which outlives a transport resumed by stateful reconnect), run by the link's run task:
/// the receive loop (frames → handshake → hub messages, on the actor), the writer
/// (the ordered outbound queue → the transport) and the timer (handshake timeout,
/// keep-alive, server timeout). The run task ends once the transport has closed, the
/// actor has been told, and the writer has drained its queue.
struct ConnectionRunner: Sendable {
    let connection: HubConnection
    let generation: Int
    let transport: any TransportConnection
    let hubProtocol: any HubProtocol
    let clock: ErasedClock
    let logger: Logger
    /// False for a transport resumed by stateful reconnect: hub messages come at once.
    var awaitsHandshake = true

    func run(outboundItems: AsyncStream<OutboundItem>) async {
        await withDiscardingTaskGroup { outer in
            outer.addTask { await writeLoop(outboundItems) }
            await withDiscardingTaskGroup { inner in
                inner.addTask { await timerLoop() }
                let error = await connection.receiveFrames(
                    of: transport, generation: generation, expectingHandshake: awaitsHandshake
                )
                await connection.transportClosed(generation: generation, error: error)
                inner.cancelAll()
            }
        }
    }

    /// Writes queued items in order until the queue is finished and drained: one by one, or,
    /// for a transport that prefers batches, everything queued while the previous send was in
    /// flight in one send.
    private func writeLoop(_ items: AsyncStream<OutboundItem>) async {
        var writer = OrderedWriter(runner: self)
        guard transport.prefersBatchedSends else {
            for await item in items { await writer.send([item]) }
            return
        }
        let pending = Locked<[OutboundItem]>([])
        let (ready, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await item in items {
                    pending.withLock { $0.append(item) }
                    signal.yield()
                }
                signal.finish()
            }
            for await _ in ready {
                let batch = pending.withLock { queued in
                    defer { queued = [] }
                    return queued
                }
                if !batch.isEmpty { await writer.send(batch) }
            }
        }
    }

    /// Sends batches in order; after the first failure, fails every later item at once.
    private struct OrderedWriter {
        let runner: ConnectionRunner
        var failure: SignalRError?

        init(runner: ConnectionRunner) {
            self.runner = runner
        }

        mutating func send(_ batch: [OutboundItem]) async {
            if let failure {
                for item in batch { item.written?.resume(throwing: failure) }
                return
            }
            do {
                try await runner.transport.send(batch.count == 1 ? batch[0].bytes : batch.flatMap(\.bytes))
                for item in batch { item.written?.resume() }
            } catch {
                let wrapped = SignalRError.wrapping(error)
                failure = wrapped
                for item in batch { item.written?.resume(throwing: wrapped) }
                runner.logger.debug("Sending failed; closing the transport.", metadata: ["signalr.error": "\(wrapped.message)"])
                await runner.connection.streamsClosing(generation: runner.generation)
                await runner.transport.close()
            }
        }
    }

    /// Sleeps until the next deadline the state machine names, then asks again.
    private func timerLoop() async {
        while !Task.isCancelled {
            switch await connection.timerFired(generation: generation) {
            case .sleep(let deadline):
                do { try await clock.sleep(until: deadline) } catch { return }
            case .closeTransport:
                await connection.streamsClosing(generation: generation)
                await transport.close()
                return
            case .stop:
                return
            }
        }
    }
}
