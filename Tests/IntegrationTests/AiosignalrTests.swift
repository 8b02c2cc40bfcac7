import Foundation
import SignalRClient
import SignalRProtocol
import SignalRTestSupport
import Testing

/// The invoke/send/on scenarios against aiosignalr, an independent SignalR server from PyPI
/// (Tests/PythonPeers/aiosignalr_hub.py). With CI=true these never skip.
@Suite(.serialized) struct AiosignalrTests {
    /// Starts the aiosignalr hub; nil (test skipped) only outside CI when Python peers are missing.
    static func startHub(_ extraArguments: [String] = []) async throws -> (PeerProcess, Task<String, any Error>)? {
        guard await PythonPeer.ensureInstalled() else {
            if PythonPeer.isCI { Issue.record("The Python peers could not be installed (Tests/PythonPeers/install.sh).") }
            return nil
        }
        let peer = try PeerProcess(script: "aiosignalr_hub.py", arguments: extraArguments)
        let port = Task { try await peer.waitForLine(prefix: "LISTENING ") }
        return (peer, port)
    }

    func withAiosignalr(_ body: (String) async throws -> Void) async throws {
        guard let (peer, portTask) = try await Self.startHub() else { return }
        defer { peer.stop() }
        let port = try await portTask.value
        try await body("http://127.0.0.1:\(port)/hubs/test")
    }

    @Test(arguments: ProtocolKind.allCases)
    func invokeSendAndOnWork(kind: ProtocolKind) async throws {
        try await withAiosignalr { url in
            let connection = try await connect(url, kind)
            #expect(await connection.connectionId != nil)
            let sum: Int = try await connection.invoke("Add", 40, 2)
            #expect(sum == 42)
            let echo: String = try await connection.invoke("Echo", "héllo")
            #expect(echo == "héllo")
            let id: String = try await connection.invoke("GetConnectionId")
            #expect(id == (await connection.connectionId))

            let received = EventRecorder<String>()
            await connection.on("ReceiveMessage") { (user: String, message: String) in received.record("\(user): \(message)") }
            try await connection.send("SendMessage", "ana", "hello")
            #expect(try await received.next(1) == ["ana: hello"])

            let error = await caught { try await connection.invoke("Throw", "custom failure") }
            #expect((error as? SignalRError)?.code == .hubError)
            #expect((error as? SignalRError)?.message == "custom failure")
            let closes = EventRecorder<SignalRError?>()
            await connection.onClose { error in closes.record(error) }
            try await connection.stop()
            #expect(try await closes.first() == nil)
        }
    }

    @Test func broadcastReachesTwoConnections() async throws {
        try await withAiosignalr { url in
            let first = try await connect(url)
            let second = try await connect(url, .messagepack)
            let received = EventRecorder<String>()
            await first.on("ReceiveMessage") { (user: String, message: String) in received.record("first \(user) \(message)") }
            await second.on("ReceiveMessage") { (user: String, message: String) in received.record("second \(user) \(message)") }
            try await second.send("SendMessage", "ben", "hi")
            #expect(Set(try await received.next(2)) == ["first ben hi", "second ben hi"])
            try await first.stop()
            try await second.stop()
        }
    }
}
