import Foundation
import SignalRProtocol
import SignalRTestSupport
import Testing
@testable import SignalRClient

@Suite("HubConnection upload streams")
struct StreamUploadTests {
    private typealias F = StreamFixture

    private struct SourceFailure: Error, CustomStringConvertible {
        var description: String { "The source broke." }
    }

    /// The next StreamItem the client sent, as (stream id, raw JSON item).
    private func nextItem(_ server: FakeServer) async throws -> (String, String?) {
        guard case .streamItem(let item) = try await server.nextNonPing() else { throw TestFailure("Expected a StreamItem.") }
        return (item.invocationId, F.json(item.item))
    }

    @Test func uploadIdsComeBeforeTheInvocationIdAndItemsThenCompletionFollow() async throws {
        let (harness, server) = try await F.connected()
        let connection = harness.connection
        let (numbers, input) = AsyncStream.makeStream(of: Int.self)
        let call = Task { try await connection.invoke("UploadSum", UploadStream(numbers), returning: Int.self) }
        let invocation = try await server.nextInvocation()
        #expect(invocation.streamIds == ["0"])
        #expect(invocation.invocationId == "1")
        #expect(invocation.arguments.isEmpty)
        input.yield(1)
        input.yield(2)
        input.finish()
        #expect(try await nextItem(server) == ("0", "1"))
        #expect(try await nextItem(server) == ("0", "2"))
        let end = try await server.nextCompletion()
        #expect(end.invocationId == "0")
        guard case .void = end.result else { throw TestFailure("Expected a void Completion.") }
        server.complete("1", json: "3")
        #expect(try await withTimeout { try await call.value } == 3)
        try await connection.stop()
    }

    @Test func severalUploadsInSendAndStreamTakeIdsInArgumentOrder() async throws {
        let (harness, server) = try await F.connected()
        let connection = harness.connection
        let first = AsyncStream<String> { $0.finish() }
        let second = AsyncStream<String> { $0.finish() }
        try await connection.send("Two", "label", UploadStream(first), 5, UploadStream(second))
        let invocation = try await server.nextInvocation()
        #expect(invocation.invocationId == nil)
        #expect(invocation.streamIds == ["0", "1"])
        #expect(invocation.arguments.map(F.json) == [#""label""#, "5"])
        var ended: Set<String> = []
        for _ in 0..<2 { ended.insert(try await server.nextCompletion().invocationId) }
        #expect(ended == ["0", "1"])

        let echo = AsyncStream<String> { $0.finish() }
        let consumer = Task { try await StreamTests.collect(connection.stream("StreamEcho", UploadStream(echo), as: String.self)) }
        let streamInvocation = try await server.nextStreamInvocation()
        #expect(streamInvocation.streamIds == ["2"])
        #expect(streamInvocation.invocationId == "3")
        #expect(streamInvocation.arguments.isEmpty)
        #expect(try await server.nextCompletion().invocationId == "2")
        server.transport.receive(F.completion("3"))
        #expect(try await withTimeout { try await consumer.value } == [])
        try await connection.stop()
    }

    @Test func aSourceThatThrowsEndsWithACompletionCarryingItsText() async throws {
        let (harness, server) = try await F.connected()
        let (values, input) = AsyncThrowingStream.makeStream(of: Int.self)
        try await harness.connection.send("UploadSum", UploadStream(values))
        _ = try await server.nextInvocation()
        input.yield(4)
        input.finish(throwing: SourceFailure())
        #expect(try await nextItem(server) == ("0", "4"))
        let end = try await server.nextCompletion()
        #expect(end.invocationId == "0")
        #expect(end.error == "The source broke.")
        try await harness.connection.stop()
    }

    /// A source whose iterator reports when the connection lets go of it.
    private struct WatchedSource: AsyncSequence, Sendable {
        let base: AsyncStream<Int>
        let released: Locked<Bool>

        final class Release: Sendable {
            let released: Locked<Bool>
            init(_ released: Locked<Bool>) { self.released = released }
            deinit { released.withLock { $0 = true } }
        }

        struct AsyncIterator: AsyncIteratorProtocol {
            var base: AsyncStream<Int>.Iterator
            let release: Release
            mutating func next() async -> Int? { await base.next() }
        }

        func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(base: base.makeAsyncIterator(), release: Release(released))
        }
    }

    @Test func stopEndsAnUploadBeforeItReturns() async throws {
        let (harness, server) = try await F.connected()
        let released = Locked(false)
        let (values, input) = AsyncStream.makeStream(of: Int.self)
        try await harness.connection.send("UploadSum", UploadStream(WatchedSource(base: values, released: released)))
        _ = try await server.nextInvocation()
        input.yield(1)
        #expect(try await nextItem(server) == ("0", "1"))
        try await withTimeout { try await harness.connection.stop() }
        #expect(released.withLock { $0 })
    }

    @Test func anUploadEndsWhenItsInvocationCompletes() async throws {
        let (harness, server) = try await F.connected()
        let connection = harness.connection
        let (ended, endedInput) = AsyncStream.makeStream(of: Void.self)
        let (values, input) = AsyncStream.makeStream(of: Int.self)
        input.onTermination = { _ in endedInput.yield() }
        let call = Task { try await connection.invoke("UploadSum", UploadStream(values), returning: Int.self) }
        #expect(try await server.nextInvocation().invocationId == "1")
        server.complete("1", json: "0")
        #expect(try await withTimeout { try await call.value } == 0)
        try await withTimeout { for await _ in ended { break } }
        try await connection.stop()
    }

    @Test func encodingAnUploadStreamAsAValueThrows() throws {
        let upload = UploadStream(AsyncStream<Int> { $0.finish() })
        #expect(throws: EncodingError.self) { try JSONEncoder().encode([upload]) }
    }
}
