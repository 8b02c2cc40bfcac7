import Foundation
import SignalRProtocol
import SignalRTestSupport
import Testing
@testable import SignalRClient

/// A transport whose sends wait until the test lets them through, and that records them.
final class GatedTransport: TransportConnection {
    private struct State {
        var sent: [[UInt8]] = []
        var gates: [CheckedContinuation<Void, Never>] = []
        var open = false
        var failure: SignalRError?
        var closed = 0
    }

    private let state = Locked(State())
    let frames: AsyncThrowingStream<[UInt8], any Error> = AsyncThrowingStream { $0.finish() }
    let prefersBatchedSends: Bool
    let failedSendEndsConnection: Bool
    var hasInherentKeepAlive: Bool { false }

    let maximumBatchSize: Int

    init(batched: Bool = false, failedSendEndsConnection: Bool = true, maximumBatchSize: Int = .max) {
        prefersBatchedSends = batched
        self.failedSendEndsConnection = failedSendEndsConnection
        self.maximumBatchSize = maximumBatchSize
    }

    var sent: [[UInt8]] { state.withLock { $0.sent } }
    var closeCount: Int { state.withLock { $0.closed } }
    var waitingSends: Int { state.withLock { $0.gates.count } }

    func send(_ data: [UInt8]) async throws {
        if let failure = state.withLock({ $0.failure }) { throw failure }
        await withCheckedContinuation { (gate: CheckedContinuation<Void, Never>) in
            let open: Bool = state.withLock { state in
                if !state.open { state.gates.append(gate) }
                return state.open
            }
            if open { gate.resume() }
        }
        state.withLock { $0.sent.append(data) }
    }

    /// Lets every send through from now on.
    func open() {
        let gates: [CheckedContinuation<Void, Never>] = state.withLock { state in
            state.open = true
            defer { state.gates = [] }
            return state.gates
        }
        gates.forEach { $0.resume() }
    }

    /// Makes later sends fail (nil: succeed again).
    func fail(with error: SignalRError?) { state.withLock { $0.failure = error } }

    func close() async { state.withLock { $0.closed += 1 } }
}

/// An actor that writes in program order, as the hub connection does.
actor Writer {
    func write(_ bytes: [UInt8], on queue: OutboundQueue) async throws {
        try await queue.write(bytes)
    }

    /// Starts writes of `payloads` in this order without waiting for each.
    func startWrites(_ payloads: [[UInt8]], on queue: OutboundQueue) -> [Task<Void, any Error>] {
        payloads.map { bytes in Task { try await self.write(bytes, on: queue) } }
    }
}

@Suite("Outbound queue")
struct OutboundQueueTests {
    /// Waits (bounded) until `condition` holds.
    func eventually(_ condition: @escaping @Sendable () -> Bool) async throws {
        try await withTimeout { while !condition() { await Task.yield() } }
    }

    @Test func aWriteWithNothingQueuedGoesStraightToTheTransport() async throws {
        let transport = GatedTransport()
        transport.open()
        let queue = OutboundQueue(transport: transport)
        // No writer task runs: the write cannot depend on one.
        try await queue.write([1])
        #expect(transport.sent == [[1]])
    }

    @Test func writesBehindADirectWriteGoToTheWriterTaskInOrder() async throws {
        let transport = GatedTransport()
        let queue = OutboundQueue(transport: transport)
        let writer = Task { await queue.runWriter { _ in await transport.close() } }
        let first = Task { try await queue.write([1]) }
        try await eventually { transport.waitingSends == 1 }
        let later = (2...5).map { value in Task { try await queue.write([UInt8(value)]) } }
        let waiter = InvocationWaiter()
        queue.enqueue([9])
        try await withTimeout { try await queue.writeInvocation([6], waiter: waiter) }
        transport.open()
        try await first.value
        for task in later { try await task.value }
        try await eventually { transport.sent.count == 7 }
        #expect(transport.sent.first == [1])
        #expect(Set(transport.sent.dropFirst()) == Set([[2], [3], [4], [5], [9], [6]]))
        queue.finish()
        await writer.value
        #expect(transport.closeCount == 0)
    }

    @Test func writesFromOneActorKeepTheirOrder() async throws {
        let transport = GatedTransport()
        transport.open()
        let queue = OutboundQueue(transport: transport)
        let writerTask = Task { await queue.runWriter { _ in await transport.close() } }
        let actor = Writer()
        // Each write's place is taken on the actor before it suspends.
        for value in 0..<50 { try await actor.write([UInt8(value)], on: queue) }
        #expect(transport.sent == (0..<50).map { [UInt8($0)] })
        queue.finish()
        await writerTask.value
    }

    @Test func aBatchingTransportGetsWhatQueuedInOneSend() async throws {
        let transport = GatedTransport(batched: true)
        let queue = OutboundQueue(transport: transport)
        let writer = Task { await queue.runWriter { _ in await transport.close() } }
        let first = Task { try await queue.write([1]) }
        try await eventually { transport.waitingSends == 1 }
        queue.enqueue([2])
        queue.enqueue([3])
        transport.open()
        try await first.value
        try await eventually { transport.sent.count == 2 }
        #expect(transport.sent == [[1], [2, 3]])
        queue.finish()
        await writer.value
    }

    @Test func aBatchStaysWithinTheTransportsLimitAndALargerMessageGoesAlone() async throws {
        let transport = GatedTransport(batched: true, maximumBatchSize: 4)
        let queue = OutboundQueue(transport: transport)
        let writer = Task { await queue.runWriter { _ in await transport.close() } }
        let first = Task { try await queue.write([1]) }
        try await eventually { transport.waitingSends == 1 }
        for payload: [UInt8] in [[2, 2], [3, 3], [4], [5, 5, 5, 5, 5], [6]] { queue.enqueue(payload) }
        transport.open()
        try await first.value
        try await eventually { transport.sent.count == 5 }
        #expect(transport.sent == [[1], [2, 2, 3, 3], [4], [5, 5, 5, 5, 5], [6]])
        queue.finish()
        await writer.value
    }

    @Test func batchesSplitWhereTheNextMessageWouldPassTheLimit() {
        let items = (0..<3).map { _ in OutboundQueue.Item(bytes: [UInt8](repeating: 0, count: 30 * 1024), completion: .none) }
        #expect(OutboundQueue.batches(items, limit: 64 * 1024).map(\.count) == [2, 1])
        #expect(OutboundQueue.batches([], limit: 10).isEmpty)
    }

    @Test func aFailedSendFailsWhatQueuedAndClosesTheTransportOnce() async throws {
        let transport = GatedTransport()
        let queue = OutboundQueue(transport: transport)
        let closeErrors = Locked<[SignalRError]>([])
        let writer = Task {
            await queue.runWriter { error in
                closeErrors.withLock { $0.append(error) }
                await transport.close()
            }
        }
        let broken = SignalRError(.transportFailed, "WebSocket is not in the OPEN state")
        transport.fail(with: broken)
        await #expect(throws: broken) { try await queue.write([1]) }
        // Later writes fail with the same error.
        await #expect(throws: broken) { try await queue.write([2]) }
        // An invocation's failed write is left to the connection's end (which fails it with
        // the connection's cause): the queue does not fail the waiter itself.
        let waiter = InvocationWaiter()
        try await queue.writeInvocation([3], waiter: waiter)
        #expect(waiter.finish(.success(.void)))
        try await eventually { transport.closeCount == 1 }
        #expect(closeErrors.withLock { $0 } == [broken])
        queue.finish()
        await writer.value
        #expect(transport.closeCount == 1)
        #expect(transport.sent.isEmpty)
    }

    @Test func aFailedRequestOfAnHTTPTransportFailsOnlyWhatItCarried() async throws {
        let transport = GatedTransport(batched: true, failedSendEndsConnection: false)
        transport.open()
        let queue = OutboundQueue(transport: transport)
        let writer = Task { await queue.runWriter { _ in Issue.record("the transport must stay open") } }
        let refused = SignalRError(.transportFailed, "Internal Server Error: Status code '500'")
        transport.fail(with: refused)
        await #expect(throws: refused) { try await queue.write([1]) }
        // As the official client: the invoke whose POST failed fails with that error...
        let waiter = InvocationWaiter()
        await #expect(throws: refused) { try await queue.writeInvocation([2], waiter: waiter) }
        // ...and the next POST goes out as usual.
        transport.fail(with: nil)
        try await queue.write([3])
        #expect(transport.sent == [[3]])
        #expect(transport.closeCount == 0)
        queue.finish()
        await writer.value
    }

    @Test func afterFinishWritesAreRefused() async throws {
        let transport = GatedTransport()
        let queue = OutboundQueue(transport: transport)
        let writer = Task { await queue.runWriter { _ in await transport.close() } }
        queue.finish()
        await writer.value
        await #expect(throws: SignalRError.notConnected) { try await queue.write([1]) }
    }
}
