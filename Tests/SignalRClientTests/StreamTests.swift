import Foundation
import Logging
import SignalRProtocol
import SignalRTestSupport
import Testing
@testable import SignalRClient

@Suite("HubConnection server-to-client streams")
struct StreamTests {
    private typealias F = StreamFixture

    static func collect<E>(_ stream: HubStreamSequence<E>) async throws -> [E] {
        var items: [E] = []
        for try await item in stream { items.append(item) }
        return items
    }

    @Test func itemsArriveInOrderUntilTheCompletion() async throws {
        let (harness, server) = try await F.connected()
        let connection = harness.connection
        try await withTimeout {
            async let collected = Self.collect(connection.stream("Counter", 3, 0, as: Int.self))
            let invocation = try await server.nextStreamInvocation()
            #expect(invocation.invocationId == "0")
            #expect(invocation.target == "Counter")
            #expect(invocation.arguments.count == 2)
            #expect(invocation.streamIds.isEmpty)
            server.transport.receive(F.item("0", "0") + F.item("0", "1") + F.item("0", "2") + F.completion("0"))
            #expect(try await collected == [0, 1, 2])
        }
        try await connection.stop()
    }

    @Test func aHubErrorEndsTheStreamWithTheServersText() async throws {
        let (harness, server) = try await F.connected()
        let connection = harness.connection
        let received = Locked<[Int]>([])
        let consumer = Task {
            for try await n in connection.stream("FailingStream", 1, as: Int.self) { received.withLock { $0.append(n) } }
        }
        _ = try await server.nextStreamInvocation()
        server.transport.receive(F.item("0", "7") + F.completion("0", error: "The stream failed."))
        let error = try await withTimeout { await consumer.result }
        guard case .failure(let failure as SignalRError) = error else { throw TestFailure("Expected a SignalRError.") }
        #expect(failure.code == .hubError)
        #expect(failure.message == "The stream failed.")
        #expect(received.withLock { $0 } == [7])
        try await connection.stop()
    }

    @Test func leavingTheLoopEarlySendsCancelInvocationAndDropsLaterItems() async throws {
        let (harness, server) = try await F.connected()
        let connection = harness.connection
        try await withTimeout {
            async let first: Int? = {
                for try await n in connection.stream("Ticks", 10, as: Int.self) { return n }
                return nil
            }()
            _ = try await server.nextStreamInvocation()
            server.transport.receive(F.item("0", "5"))
            #expect(try await first == 5)
            #expect(try await server.nextCancel() == "0")
            server.transport.receive(F.item("0", "6") + F.completion("0"))
            async let sum: Int = connection.invoke("Add", 1, 2)
            #expect(try await server.nextInvocation().invocationId == "1")
            server.complete("1", json: "3")
            #expect(try await sum == 3)
        }
        #expect(harness.logs.contains(.debug, "Dropped a stream item for an unknown stream."))
        try await connection.stop()
    }

    @Test func cancellingTheConsumingTaskSendsCancelInvocation() async throws {
        let (harness, server) = try await F.connected()
        let connection = harness.connection
        let consumer = Task { try await Self.collect(connection.stream("Ticks", 10, as: Int.self)) }
        _ = try await server.nextStreamInvocation()
        consumer.cancel()
        #expect(try await server.nextCancel() == "0")
        let result = try await withTimeout { await consumer.result }
        guard case .failure(let error) = result else { throw TestFailure("Expected the stream to fail.") }
        #expect(error is CancellationError)
        try await connection.stop()
    }

    @Test func anItemOfTheWrongTypeFailsThatStreamOnly() async throws {
        let (harness, server) = try await F.connected()
        let connection = harness.connection
        let numbers = Task { try await Self.collect(connection.stream("Numbers", as: Int.self)) }
        #expect(try await server.nextStreamInvocation().invocationId == "0")
        let words = Task { try await Self.collect(connection.stream("Words", as: String.self)) }
        #expect(try await server.nextStreamInvocation().invocationId == "1")
        server.transport.receive(F.item("0", #""not a number""#) + F.item("1", #""ok""#))
        let failed = try await withTimeout { await numbers.result }
        guard case .failure(let error as SignalRError) = failed else { throw TestFailure("Expected a SignalRError.") }
        #expect(error.code == .protocolError)
        #expect(error.message.contains("could not be decoded as Int"))
        #expect(try await server.nextCancel() == "0")
        server.transport.receive(F.item("1", #""fine""#) + F.completion("1"))
        #expect(try await withTimeout { try await words.value } == ["ok", "fine"])
        #expect(await connection.state == .connected)
        try await connection.stop()
    }

    @Test func aLostConnectionEndsTheStreamWithTheCause() async throws {
        let (harness, server) = try await F.connected()
        let connection = harness.connection
        let consumer = Task { try await Self.collect(connection.stream("Ticks", 10, as: Int.self)) }
        _ = try await server.nextStreamInvocation()
        server.transport.receive(F.item("0", "1"))
        server.transport.serverClose(error: SignalRError(.transportFailed, "The socket went away."))
        let result = try await withTimeout { await consumer.result }
        guard case .failure(let error as SignalRError) = result else { throw TestFailure("Expected a SignalRError.") }
        #expect(error.message == "The socket went away.")
    }

    @Test func stopEndsTheStreamWithTheCanceledText() async throws {
        let (harness, server) = try await F.connected()
        let connection = harness.connection
        let consumer = Task { try await Self.collect(connection.stream("Ticks", 10, as: Int.self)) }
        _ = try await server.nextStreamInvocation()
        try await withTimeout { try await connection.stop() }
        let result = try await withTimeout { await consumer.result }
        guard case .failure(let error as SignalRError) = result else { throw TestFailure("Expected a SignalRError.") }
        #expect(error.message == "Invocation canceled due to the underlying connection being closed.")
    }

    @Test func notConnectedFailsOnTheFirstNext() async throws {
        let harness = try Harness()
        let error = await thrownError { _ = try await Self.collect(harness.connection.stream("Ticks", 10, as: Int.self)) }
        #expect((error as? SignalRError)?.message == "Cannot send data if the connection is not in the 'Connected' State.")
    }

    /// Holds a consumer after its first item until `release`; records what it saw.
    private struct SlowConsumer {
        let events = Locked<[String]>([])
        let gate = AsyncStream<Void>.makeStream()

        func start(_ connection: HubConnection) -> Task<Void, any Error> {
            Task { [events, gate] in
                var iterator = connection.stream("Ticks", 0, as: Int.self, bufferSize: 1).makeAsyncIterator()
                while let n = try await iterator.next() {
                    events.withLock { $0.append("item \(n)") }
                    if n == 1 { for await _ in gate.stream { break } }
                }
            }
        }

        func release() { gate.continuation.yield() }
    }

    private func waitUntil(_ condition: @escaping @Sendable () -> Bool) async throws {
        try await withTimeout { while !condition() { await Task.yield() } }
    }

    @Test func aFullBufferHoldsBackTheConnectionUntilTheConsumerTakesAnItem() async throws {
        let consumer = SlowConsumer()
        let (harness, server) = try await F.connected { connection in
            await connection.on("Marker") { () in consumer.events.withLock { $0.append("marker") } }
        }
        let task = consumer.start(harness.connection)
        _ = try await server.nextStreamInvocation()
        server.transport.receive(
            F.item("0", "1") + F.item("0", "2") + F.item("0", "3") + F.item("0", "4") + F.invocation("Marker", "[]")
        )
        try await waitUntil { harness.logs.contains(.trace, "A stream's buffer is full; waiting for its consumer.") }
        #expect(consumer.events.withLock { $0 } == ["item 1"])
        consumer.release()
        server.transport.receive(F.completion("0"))
        try await withTimeout { try await task.value }
        try await waitUntil { consumer.events.withLock { $0.contains("marker") } }
        let events = consumer.events.withLock { $0 }
        #expect(events.filter { $0.hasPrefix("item") } == ["item 1", "item 2", "item 3", "item 4"])
        #expect(try #require(events.firstIndex(of: "marker")) > #require(events.firstIndex(of: "item 2")))
        try await harness.connection.stop()
    }

    @Test func stopReturnsWhileTheReceiveLoopWaitsForAFullBuffer() async throws {
        let consumer = SlowConsumer()
        let (harness, server) = try await F.connected()
        let task = consumer.start(harness.connection)
        _ = try await server.nextStreamInvocation()
        server.transport.receive(F.item("0", "1") + F.item("0", "2") + F.item("0", "3"))
        try await waitUntil { harness.logs.contains(.trace, "A stream's buffer is full; waiting for its consumer.") }
        try await withTimeout { try await harness.connection.stop() }
        consumer.release()
        let result = try await withTimeout { await task.result }
        guard case .failure(let error as SignalRError) = result else { throw TestFailure("Expected a SignalRError.") }
        #expect(error.message == "Invocation canceled due to the underlying connection being closed.")
        #expect(consumer.events.withLock { $0 } == ["item 1", "item 2"])
    }
}
