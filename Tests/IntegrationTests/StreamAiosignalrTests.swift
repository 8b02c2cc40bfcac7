import Foundation
import SignalRClient
import SignalRProtocol
import SignalRTestSupport
import Testing

/// The stream, upload and client-result scenarios against aiosignalr, an independent
/// SignalR server from PyPI (Tests/PythonPeers/aiosignalr_hub.py). With CI=true these never skip.
@Suite(.serialized) struct StreamAiosignalrTests {
    private struct SourceFailure: Error, CustomStringConvertible {
        var description: String { "The source broke." }
    }

    func withAiosignalr(_ body: (String) async throws -> Void) async throws {
        guard let (peer, portTask) = try await AiosignalrTests.startHub() else { return }
        defer { peer.stop() }
        let port = try await portTask.value
        try await body("http://127.0.0.1:\(port)/hubs/test")
    }

    @Test(arguments: ProtocolKind.allCases)
    func serverToClientStreams(kind: ProtocolKind) async throws {
        try await withAiosignalr { url in
            let connection = try await connect(url, kind)
            let items = try await withTimeout {
                try await StreamIntegrationTests.collect(connection.stream("Counter", 1_000, 0, as: Int.self))
            }
            #expect(items == Array(0..<1_000))

            var received: [Int] = []
            let error = await caught {
                for try await n in connection.stream("FailingStream", 2, as: Int.self) { received.append(n) }
            }
            #expect(received == [0, 1])
            #expect((error as? SignalRError)?.code == .hubError)

            for try await n in connection.stream("Counter", 100, 10, as: Int.self) {
                #expect(n == 0)
                break
            }
            let wrongType = await caught { _ = try await StreamIntegrationTests.collect(connection.stream("Counter", 3, 0, as: String.self)) }
            #expect((wrongType as? SignalRError)?.code == .protocolError)
            // The connection carries on after a cancelled and a failed stream.
            #expect(try await connection.invoke("Add", 1, 2, returning: Int.self) == 3)

            let firstItem = EventRecorder<Int>()
            let consumer = Task {
                for try await n in connection.stream("Counter", 100, 10, as: Int.self) { firstItem.record(n) }
            }
            _ = try await firstItem.first()
            try await connection.stop()
            let stopped = await caught { try await withTimeout { try await consumer.value } }
            #expect((stopped as? SignalRError)?.message == "Invocation canceled due to the underlying connection being closed.")
        }
    }

    @Test(arguments: ProtocolKind.allCases)
    func uploads(kind: ProtocolKind) async throws {
        try await withAiosignalr { url in
            let connection = try await connect(url, kind)
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
                for n in 1...100 { input.yield(n) }
                input.finish()
            }
            #expect(try await connection.invoke("UploadSum", UploadStream(numbers), returning: Int.self) == 5_050)

            let first = AsyncStream<Int> { input in
                input.yield(1)
                input.yield(2)
                input.finish()
            }
            let second = AsyncStream<Int> { input in
                input.yield(10)
                input.finish()
            }
            #expect(try await connection.invoke("UploadPair", UploadStream(first), UploadStream(second), returning: [Int].self) == [3, 10])

            let failing = AsyncThrowingStream<Int, any Error> { input in
                input.yield(1)
                input.finish(throwing: SourceFailure())
            }
            let error = await caught { _ = try await connection.invoke("UploadSum", UploadStream(failing), returning: Int.self) }
            #expect((error as? SignalRError)?.code == .hubError)
            #expect(try await connection.invoke("Add", 2, 3, returning: Int.self) == 5)
            try await connection.stop()
        }
    }

    @Test(arguments: ProtocolKind.allCases)
    func clientResults(kind: ProtocolKind) async throws {
        try await withAiosignalr { url in
            let connection = try await connect(url, kind)
            await connection.on("Value") { () -> String in "answer" }
            await connection.on("Nothing") { () -> String? in nil }
            await connection.on("No") { () -> Bool in false }
            await connection.on("Throws") { () -> Int in throw SourceFailure() }
            func ask(_ method: String) async throws -> JSONValue {
                try await connection.invoke("GetClientResult", method, returning: JSONValue.self)
            }
            #expect(try await ask("Value") == "answer")
            #expect(try await ask("Nothing") == .null)
            #expect(try await ask("No") == false)
            let missing = await caught { _ = try await ask("Missing") }
            #expect((missing as? SignalRError)?.message.contains("Client didn't provide a result.") == true)
            let thrown = await caught { _ = try await ask("Throws") }
            #expect((thrown as? SignalRError)?.message.contains("The source broke.") == true)
            #expect(await connection.state == .connected)
            try await connection.stop()
        }
    }
}
