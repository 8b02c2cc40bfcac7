import Foundation
import SignalRClient
import SignalRProtocol
import SignalRServer
import SignalRTestSupport
import Testing

/// The official docs' "Streaming" (server-to-client), against the in-repo hub over
/// loopback, with both hub protocols.
///
/// Cancellation is checked on the server with `CancelledStreams`. `Ticks(idleMs)` sends its
/// first item at once and then idles: a cancel that lands while it idles is always counted
/// (one that lands while an item is being written is not), so those tests take one item.
@Suite struct StreamIntegrationTests {
    /// A gap between ticks longer than any test.
    static let idle = 600_000

    static func collect<E>(_ stream: HubStreamSequence<E>) async throws -> [E] {
        var items: [E] = []
        for try await item in stream { items.append(item) }
        return items
    }

    /// Waits until the hub's `CancelledStreams` reaches `count` (each check is a round trip).
    static func waitForCancelledStreams(_ count: Int, on connection: HubConnection) async throws {
        try await withTimeout(.seconds(10), "\(count) cancelled stream(s) on the server") {
            while try await connection.invoke("CancelledStreams", returning: Int.self) < count { await Task.yield() }
        }
    }

    @Test(arguments: ProtocolKind.allCases)
    func aThousandItemsArriveInOrder(kind: ProtocolKind) async throws {
        try await withServer { server in
            let connection = try await connect(await server.testHubURL, kind)
            let items = try await withTimeout { try await Self.collect(connection.stream("Counter", 1_000, 0, as: Int.self)) }
            #expect(items == Array(0..<1_000))
            let small = try await Self.collect(connection.stream("Counter", 50, 0, as: Int.self, bufferSize: 1))
            #expect(small == Array(0..<50))
            try await connection.stop()
        }
    }

    @Test(arguments: ProtocolKind.allCases)
    func aHubErrorMidStreamEndsItWithTheServersText(kind: ProtocolKind) async throws {
        try await withServer { server in
            let connection = try await connect(await server.testHubURL, kind)
            var received: [Int] = []
            let error = await caught {
                for try await n in connection.stream("FailingStream", 3, as: Int.self) { received.append(n) }
            }
            #expect(received == [0, 1, 2])
            let failure = try #require(error as? SignalRError)
            #expect(failure.code == .hubError)
            #expect(failure.message == "An error occurred on the server while streaming results. HubException: The stream failed after 3 items.")
            #expect(try await connection.invoke("Add", 1, 2, returning: Int.self) == 3)
            try await connection.stop()
        }
    }

    @Test(arguments: ProtocolKind.allCases)
    func breakingEarlyAndCancellingTheTaskCancelTheServersStream(kind: ProtocolKind) async throws {
        try await withServer { server in
            let connection = try await connect(await server.testHubURL, kind)
            var seen: [Int] = []
            for try await n in connection.stream("Ticks", Self.idle, as: Int.self) {
                seen.append(n)
                break
            }
            #expect(seen == [0])
            try await Self.waitForCancelledStreams(1, on: connection)

            let firstItem = EventRecorder<Int>()
            let consumer = Task {
                for try await n in connection.stream("Ticks", Self.idle, as: Int.self) { firstItem.record(n) }
            }
            _ = try await firstItem.first()
            consumer.cancel()
            #expect(await caught { try await consumer.value } is CancellationError)
            try await Self.waitForCancelledStreams(2, on: connection)
            try await connection.stop()
        }
    }

    @Test(arguments: ProtocolKind.allCases)
    func aLostConnectionEndsTheStreamWithTheCause(kind: ProtocolKind) async throws {
        try await withServer { server in
            let connection = try await connect(await server.testHubURL, kind)
            let closes = EventRecorder<SignalRError?>()
            await connection.onClose { closes.record($0) }
            let firstItem = EventRecorder<Int>()
            let consumer = Task {
                for try await n in connection.stream("Ticks", Self.idle, as: Int.self) { firstItem.record(n) }
            }
            _ = try await firstItem.first()
            let connectionId = try #require(await connection.connectionId)
            #expect(await server.drop(connectionId: connectionId))
            let error = try #require(await caught { try await withTimeout { try await consumer.value } } as? SignalRError)
            let closeError = try await closes.first()
            #expect(error.message == (closeError?.message ?? "Invocation canceled due to the underlying connection being closed."))
        }
    }

    @Test(arguments: ProtocolKind.allCases)
    func stopEndsAStreamWithTheCanceledText(kind: ProtocolKind) async throws {
        try await withServer { server in
            let connection = try await connect(await server.testHubURL, kind)
            let firstItem = EventRecorder<Int>()
            let consumer = Task {
                for try await n in connection.stream("Ticks", Self.idle, as: Int.self) { firstItem.record(n) }
            }
            _ = try await firstItem.first()
            try await connection.stop()
            let error = await caught { try await withTimeout { try await consumer.value } }
            #expect((error as? SignalRError)?.message == "Invocation canceled due to the underlying connection being closed.")
        }
    }

    @Test(arguments: ProtocolKind.allCases)
    func aWrongItemTypeFailsThatStreamAndLeavesTheOthers(kind: ProtocolKind) async throws {
        try await withServer { server in
            let connection = try await connect(await server.testHubURL, kind)
            let numbers = Task { try await Self.collect(connection.stream("Counter", 20, 5, as: Int.self)) }
            let error = await caught { _ = try await Self.collect(connection.stream("Ticks", Self.idle, as: String.self)) }
            let failure = try #require(error as? SignalRError)
            #expect(failure.code == .protocolError)
            #expect(try await withTimeout { try await numbers.value } == Array(0..<20))
            try await Self.waitForCancelledStreams(1, on: connection)
            #expect(await connection.state == .connected)
            try await connection.stop()
        }
    }
}
