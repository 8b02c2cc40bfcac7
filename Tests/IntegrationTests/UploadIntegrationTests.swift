import Foundation
import SignalRClient
import SignalRProtocol
import SignalRServer
import SignalRTestSupport
import Testing

/// The official docs' "Client-to-server streaming", against the in-repo hub over loopback,
/// with both hub protocols.
@Suite struct UploadIntegrationTests {
    private struct SourceFailure: Error, CustomStringConvertible {
        var description: String { "The source broke." }
    }

    @Test(arguments: ProtocolKind.allCases)
    func aThousandUploadedItemsAreEchoedBack(kind: ProtocolKind) async throws {
        try await withServer { server in
            let connection = try await connect(await server.testHubURL, kind)
            let words = (0..<1_000).map { "item \($0)" }
            let source = AsyncStream<String> { input in
                for word in words { input.yield(word) }
                input.finish()
            }
            let echoed = try await withTimeout {
                try await StreamIntegrationTests.collect(connection.stream("StreamEcho", UploadStream(source), as: String.self))
            }
            #expect(echoed == words)

            let numbers = AsyncStream<Int> { input in
                for n in 1...1_000 { input.yield(n) }
                input.finish()
            }
            let sum: Int = try await connection.invoke("UploadSum", UploadStream(numbers))
            #expect(sum == 500_500)

            let (collected, input) = AsyncStream.makeStream(of: String.self)
            async let all: [String] = connection.invoke("UploadCollect", UploadStream(collected))
            input.yield("a")
            input.yield("b")
            input.finish()
            #expect(try await all == ["a", "b"])
            try await connection.stop()
        }
    }

    @Test(arguments: ProtocolKind.allCases)
    func twoUploadsInOneCall(kind: ProtocolKind) async throws {
        try await withServer { server in
            let connection = try await connect(await server.testHubURL, kind)
            let first = AsyncStream<Int> { input in
                for n in 1...10 { input.yield(n) }
                input.finish()
            }
            let second = AsyncThrowingStream<Int, any Error> { input in
                for n in 1...3 { input.yield(n * 100) }
                input.finish()
            }
            let sums: [Int] = try await connection.invoke("UploadPair", UploadStream(first), UploadStream(second))
            #expect(sums == [55, 600])
            try await connection.stop()
        }
    }

    @Test(arguments: ProtocolKind.allCases)
    func aSourceThatThrowsFailsTheHubMethod(kind: ProtocolKind) async throws {
        try await withServer { server in
            let connection = try await connect(await server.testHubURL, kind)
            let failing = AsyncThrowingStream<Int, any Error> { input in
                input.yield(1)
                input.finish(throwing: SourceFailure())
            }
            let error = await caught { let _: Int = try await connection.invoke("UploadSum", UploadStream(failing)) }
            #expect((error as? SignalRError)?.code == .hubError)
            // The connection carries on.
            #expect(try await connection.invoke("Add", 2, 3, returning: Int.self) == 5)
            try await connection.stop()
        }
    }

    /// An upload source that reports when the connection starts reading it, and when the
    /// connection lets go of its iterator (the upload's task is done with it).
    private struct WatchedSource: AsyncSequence, Sendable {
        let base: AsyncStream<Int>
        let started: EventRecorder<String>
        let released: EventRecorder<String>

        final class Release: Sendable {
            let released: EventRecorder<String>
            init(_ released: EventRecorder<String>) { self.released = released }
            deinit { released.record("released") }
        }

        struct AsyncIterator: AsyncIteratorProtocol {
            var base: AsyncStream<Int>.Iterator
            let started: EventRecorder<String>
            let release: Release
            var isFirst = true

            mutating func next() async -> Int? {
                if isFirst {
                    isFirst = false
                    started.record("started")
                }
                return await base.next()
            }
        }

        func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(base: base.makeAsyncIterator(), started: started, release: Release(released))
        }
    }

    @Test(arguments: ProtocolKind.allCases)
    func stopEndsARunningUpload(kind: ProtocolKind) async throws {
        try await withServer { server in
            let connection = try await connect(await server.testHubURL, kind)
            let started = EventRecorder<String>()
            let released = EventRecorder<String>()
            let (values, input) = AsyncStream.makeStream(of: Int.self)
            let source = WatchedSource(base: values, started: started, released: released)
            try await connection.send("UploadSum", UploadStream(source))
            #expect(try await started.first() == "started")
            input.yield(1)
            try await connection.stop()
            // stop() waited for the upload's task, which let go of the source.
            #expect(try await released.first() == "released")
            #expect(await connection.state == .disconnected)
        }
    }
}
