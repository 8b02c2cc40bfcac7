import SignalRMacros
import SignalRProtocol
import SignalRTestSupport
import Testing

/// The test hubs' methods as a typed proxy: every kind of call the macro generates.
@HubProxy
protocol TestHubCalls {
    func add(_ a: Int, _ b: Int) async throws -> Int
    func echo(_ text: String) async throws -> String
    func sendMessage(user: String, message: String) async throws
    func counter(count: Int, delayMilliseconds: Int) -> HubStreamSequence<Int>
    func uploadSum(_ numbers: UploadStream<Int>) async throws -> Int
    func getClientResult(_ method: String) async throws -> String
    @HubMethod("Throw") func fail(_ message: String) async throws
}

/// The same hub method, sent without waiting (one protocol cannot name a hub method twice).
@HubProxy
protocol ChatSends {
    @HubSend func sendMessage(user: String, message: String) async throws
}

/// Hub names match case-insensitively (ASP.NET Core's rule, which the in-repo hub follows).
@HubProxy
protocol OddlySpelledCalls {
    @HubMethod("aDD") func add(_ a: Int, _ b: Int) async throws -> Int
}

/// The client methods the test hubs call.
@HubReceiver
protocol TestClient {
    func receiveMessage(user: String, message: String) async
    @HubMethod("GetMessage") func answer() async throws -> String
}

/// Records what the hub sent it and answers client-result calls.
struct RecordingClient: TestClient {
    let received: EventRecorder<String>

    func receiveMessage(user: String, message: String) async {
        received.record("typed \(user): \(message)")
    }

    func answer() async throws -> String {
        "forty-two"
    }
}

/// `@HubProxy` and `@HubReceiver` over the real client, against the in-repo hub and aiosignalr.
@Suite(.serialized) struct TypedProxyTests {
    /// Every kind of method, end to end, and a registration that removes its handlers.
    static func exerciseEveryKind(_ url: String, _ kind: ProtocolKind) async throws {
        let connection = try await connect(url, kind)
        let hub = TestHubCallsProxy(connection)
        let received = EventRecorder<String>()
        let registration = await connection.register(TestClientReceiver.self, handler: RecordingClient(received: received))
        #expect(registration.subscriptions.map(\.method) == ["ReceiveMessage", "GetMessage"])
        #expect(TestClientReceiver.methodNames == ["ReceiveMessage", "GetMessage"])

        #expect(try await hub.add(40, 2) == 42)
        #expect(try await hub.echo("héllo") == "héllo")
        try await hub.sendMessage(user: "ana", message: "invoked")
        #expect(try await received.next(1) == ["typed ana: invoked"])
        try await ChatSendsProxy(connection).sendMessage(user: "ben", message: "sent")
        #expect(try await received.next(1) == ["typed ben: sent"])

        var items: [Int] = []
        for try await item in hub.counter(count: 5, delayMilliseconds: 0) { items.append(item) }
        #expect(items == [0, 1, 2, 3, 4])
        let numbers = AsyncStream<Int> { continuation in
            for number in 1...10 { continuation.yield(number) }
            continuation.finish()
        }
        #expect(try await hub.uploadSum(UploadStream(numbers)) == 55)
        #expect(try await hub.getClientResult("GetMessage") == "forty-two")

        let failure = await caught { try await hub.fail("typed failure") }
        #expect((failure as? SignalRError)?.code == .hubError)
        #expect((failure as? SignalRError)?.message.hasSuffix("typed failure") == true)

        // Once removed, the typed handlers no longer run: a plain handler added after them
        // records first (handlers of one method run in the order they were added).
        await registration.remove()
        await connection.on("ReceiveMessage") { (user: String, message: String) in received.record("plain \(user): \(message)") }
        try await hub.sendMessage(user: "cy", message: "after")
        #expect(try await received.next(1) == ["plain cy: after"])
        let missing = await caught { _ = try await hub.getClientResult("GetMessage") }
        #expect((missing as? SignalRError)?.message.contains("Client didn't provide a result.") == true)
        try await connection.stop()
    }

    @Test(arguments: ProtocolKind.allCases)
    func everyKindAgainstTheInRepoHub(kind: ProtocolKind) async throws {
        try await withServer { server in
            try await Self.exerciseEveryKind(await server.testHubURL, kind)
        }
    }

    @Test(arguments: ProtocolKind.allCases)
    func everyKindAgainstAiosignalr(kind: ProtocolKind) async throws {
        guard let (peer, portTask) = try await AiosignalrTests.startHub() else { return }
        defer { peer.stop() }
        let port = try await portTask.value
        try await Self.exerciseEveryKind("http://127.0.0.1:\(port)/hubs/test", kind)
    }

    @Test func wireNamesMatchCaseInsensitively() async throws {
        try await withServer { server in
            let connection = try await connect(await server.testHubURL)
            #expect(try await OddlySpelledCallsProxy(connection).add(1, 2) == 3)
            try await connection.stop()
        }
    }

    /// A proxy is a value of the protocol, so code written against the protocol can be
    /// handed a proxy or a test double alike.
    @Test func aProxyIsAValueOfItsProtocol() async throws {
        try await withServer { server in
            let connection = try await connect(await server.testHubURL)
            let hub: any TestHubCalls = TestHubCallsProxy(connection)
            #expect(try await hub.add(2, 3) == 5)
            try await connection.stop()
        }
    }
}
