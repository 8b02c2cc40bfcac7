import Foundation
import SignalRClient
import SignalRProtocol
import SignalRServer
import SignalRTestSupport
import Testing

/// The official docs' "Call hub methods from the client" and "Call client methods from the
/// hub", against the in-repo hub over loopback, with both hub protocols.
@Suite struct InvokeSendOnTests {
    @Test(arguments: ProtocolKind.allCases)
    func invokeReturnsEachTypedShape(kind: ProtocolKind) async throws {
        try await withServer { server in
            let connection = try await connect(await server.testHubURL, kind)
            let sum: Int = try await connection.invoke("Add", 40, 2)
            #expect(sum == 42)
            let echo: String = try await connection.invoke("Echo", "héllo \"world\"")
            #expect(echo == "héllo \"world\"")
            let person = try await connection.invoke("GetPerson", returning: Person.self)
            #expect(person == Person(name: "Ana", age: 42))
            let echoed: Person = try await connection.invoke("EchoPerson", Person(name: "Ben", age: 7))
            #expect(echoed == Person(name: "Ben", age: 7))
            let none: String? = try await connection.invoke("Optional", String?.none)
            #expect(none == nil)
            let some: String? = try await connection.invoke("Optional", "x")
            #expect(some == "x")
            try await connection.invoke("Void")
            let nothing: Int? = try await connection.invoke("Nothing")
            #expect(nothing == nil)
            let date = Date(timeIntervalSince1970: 1_795_962_788.125)
            let dateBack: Date = try await connection.invoke("EchoDate", date)
            #expect(abs(dateBack.timeIntervalSince1970 - date.timeIntervalSince1970) < 0.001)
            let dynamic = try await connection.invoke("EchoValue", arguments: [JSONValue.object(["a": [1, "b", nil]])])
            #expect(dynamic == ["a": [1, "b", nil]])
            try await connection.stop()
        }
    }

    @Test(arguments: ProtocolKind.allCases)
    func hubErrorsCarryTheServersMessage(kind: ProtocolKind) async throws {
        try await withServer { server in
            let connection = try await connect(await server.testHubURL, kind)
            let error = await caught { try await connection.invoke("Throw", "custom failure") }
            let signalR = try #require(error as? SignalRError)
            #expect(signalR.code == .hubError)
            #expect(signalR.message == "An unexpected error occurred invoking 'Throw' on the server. HubException: custom failure")
            let hidden = await caught { let _: String = try await connection.invoke("ThrowUnexpected") }
            #expect((hidden as? SignalRError)?.message == "An unexpected error occurred invoking 'ThrowUnexpected' on the server.")
            // The connection carries on after hub errors.
            let sum: Int = try await connection.invoke("Add", 1, 2)
            #expect(sum == 3)
            #expect(await connection.state == .connected)
            try await connection.stop()
        }
    }

    @Test(arguments: ProtocolKind.allCases)
    func sendAndBroadcastReachEveryConnection(kind: ProtocolKind) async throws {
        try await withServer { server in
            let url = await server.chatHubURL
            let first = try await connect(url, kind)
            let second = try await connect(url, kind)
            let received = EventRecorder<String>()
            await first.on("ReceiveMessage") { (user: String, message: String) in received.record("first \(user): \(message)") }
            // Method names match case-insensitively.
            await second.on("receivemessage") { (user: String, message: String) in received.record("second \(user): \(message)") }
            try await first.send("SendMessage", "ana", "hello")
            let lines = try await received.next(2)
            #expect(Set(lines) == ["first ana: hello", "second ana: hello"])
            try await first.stop()
            try await second.stop()
        }
    }

    @Test func severalHandlersRunAndCanBeRemoved() async throws {
        try await withServer { server in
            let connection = try await connect(await server.testHubURL)
            let received = EventRecorder<String>()
            let a = await connection.on("Notify") { (value: Int) in received.record("a\(value)") }
            await connection.on("Notify") { (value: Int) in received.record("b\(value)") }
            try await connection.invoke("SendToCaller", "Notify", 1)
            #expect(try await received.next(2) == ["a1", "b1"])
            await a.remove()
            try await connection.invoke("SendToCaller", "Notify", 2)
            #expect(try await received.next(1) == ["b2"])
            await connection.off("notify")
            try await connection.invoke("SendToCaller", "Notify", 3)
            // A marker call proves the removed handlers did not run for 3.
            await connection.on("Marker") { (value: Int) in received.record("marker\(value)") }
            try await connection.invoke("SendToCaller", "Marker", 4)
            #expect(try await received.next(1) == ["marker4"])
            try await connection.stop()
        }
    }

    @Test func aHandlerWithWrongTypesOrThatThrowsDoesNotBreakTheConnection() async throws {
        try await withServer { server in
            let connection = try await connect(await server.testHubURL)
            let received = EventRecorder<String>()
            await connection.on("Typed") { (_: Int) in received.record("wrong type ran") }
            await connection.on("Throwing") { (_: String) in throw CancellationError() }
            await connection.on("Marker") { (value: String) in received.record(value) }
            try await connection.invoke("SendToCaller", "Typed", "not a number")
            try await connection.invoke("SendToCaller", "Throwing", "x")
            try await connection.invoke("SendToCaller", "Marker", "still connected")
            #expect(try await received.next(1) == ["still connected"])
            #expect(await connection.state == .connected)
            try await connection.stop()
        }
    }

    @Test func groupsReceiveOnlyTheirMessages() async throws {
        try await withServer { server in
            let url = await server.testHubURL
            let member = try await connect(url)
            let outsider = try await connect(url)
            let received = EventRecorder<String>()
            await member.on("ReceiveGroupMessage") { (group: String, message: String) in received.record("member \(group) \(message)") }
            await outsider.on("ReceiveGroupMessage") { (group: String, message: String) in received.record("outsider \(group) \(message)") }
            try await member.invoke("JoinGroup", "blue")
            try await outsider.invoke("SendToGroup", "blue", "hi")
            #expect(try await received.next(1) == ["member blue hi"])
            try await member.invoke("LeaveGroup", "blue")
            try await member.invoke("JoinGroup", "red")
            try await outsider.invoke("SendToGroup", "red", "second")
            #expect(try await received.next(1) == ["member red second"])
            try await member.stop()
            try await outsider.stop()
        }
    }

    @Test func headersAndAccessTokenReachTheHub() async throws {
        try await withServer { server in
            var options = HttpConnectionOptions()
            options.headers = ["X-Tenant": "blue"]
            options.accessTokenFactory = { "secret-token" }
            let connection = try await connect(await server.testHubURL, options: options)
            let header: String? = try await connection.invoke("GetHeader", "X-Tenant")
            #expect(header == "blue")
            let token: String? = try await connection.invoke("GetAccessToken")
            #expect(token == "secret-token")
            let transport: String = try await connection.invoke("GetTransport")
            #expect(transport == "WebSockets")
            let id: String = try await connection.invoke("GetConnectionId")
            #expect(id == (await connection.connectionId))
            try await connection.stop()
        }
    }
}
