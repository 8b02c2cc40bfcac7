import Foundation
import SignalRClient
import SignalRProtocol
import SignalRTestSupport
import Testing

/// Our client on each transport against aiosignalr, an independent SignalR server from PyPI
/// (Tests/PythonPeers/aiosignalr_hub.py, which corrects aiosignalr's Long Polling and
/// MessagePack deviations from ASP.NET Core). With CI=true these never skip.
@Suite(.serialized, .timeLimit(.minutes(1))) struct TransportAiosignalrTests {
    func withAiosignalr(_ body: (String) async throws -> Void) async throws {
        guard let (peer, portTask) = try await AiosignalrTests.startHub() else { return }
        defer { peer.stop() }
        let port = try await portTask.value
        try await body("http://127.0.0.1:\(port)/hubs/test")
    }

    @Test(arguments: TransportCase.all)
    func invokeSendOnAndStream(cell: TransportCase) async throws {
        try await withAiosignalr { url in
            let connection = try await cell.connect(url)
            #expect(try await connection.invoke("GetTransport", returning: String.self) == cell.transportName)
            #expect(await connection.connectionId != nil)

            #expect(try await connection.invoke("Add", 40, 2, returning: Int.self) == 42)
            let text = "héllo\nworld"
            #expect(try await connection.invoke("Echo", text, returning: String.self) == text)
            let error = await caught { try await connection.invoke("Throw", "custom failure") }
            #expect((error as? SignalRError)?.code == .hubError)
            #expect((error as? SignalRError)?.message == "custom failure")

            let received = EventRecorder<String>()
            await connection.on("ReceiveMessage") { (user: String, message: String) in received.record("\(user): \(message)") }
            for index in 0..<20 { try await connection.send("SendMessage", "ana", "hello \(index)") }
            #expect(try await received.next(20) == (0..<20).map { "ana: hello \($0)" })

            let items = try await withTimeout {
                try await StreamIntegrationTests.collect(connection.stream("Counter", 300, 0, as: Int.self))
            }
            #expect(items == Array(0..<300))
            let numbers = AsyncStream<Int> { input in
                for n in 1...100 { input.yield(n) }
                input.finish()
            }
            #expect(try await connection.invoke("UploadSum", UploadStream(numbers), returning: Int.self) == 5_050)

            let closes = EventRecorder<String>()
            await connection.onClose { error in closes.record(error?.message ?? "no error") }
            try await connection.stop()
            #expect(try await closes.first() == "no error")
        }
    }

    /// Two connections on different transports of the same server see each other's broadcasts.
    @Test func broadcastAcrossTransports() async throws {
        try await withAiosignalr { url in
            var connections: [HubConnection] = []
            let received = EventRecorder<String>()
            for cell in TransportCase.all {
                let connection = try await cell.connect(url)
                let name = cell.testDescription
                await connection.on("ReceiveMessage") { (_: String, message: String) in received.record("\(name) \(message)") }
                connections.append(connection)
            }
            try await connections[0].send("SendMessage", "ana", "hi")
            let lines = try await received.next(TransportCase.all.count)
            #expect(Set(lines) == Set(TransportCase.all.map { "\($0.testDescription) hi" }))
            for connection in connections { try await connection.stop() }
        }
    }
}
