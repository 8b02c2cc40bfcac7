import Foundation
import Logging
import SignalRProtocol
import SignalRTestSupport
import Testing
@testable import SignalRClient

@Suite("HubConnection handlers")
struct HubConnectionHandlerTests {
    private func connected(_ register: (HubConnection) async -> Void = { _ in }) async throws -> (Harness, FakeServer) {
        let transport = FakeTransportConnection()
        let harness = try Harness(transports: [transport])
        await register(harness.connection)
        let server = FakeServer(transport)
        try await harness.start(server)
        return (harness, server)
    }

    private func invocation(_ target: String, _ arguments: String, id: String? = nil) -> String {
        let idField = id.map { #""invocationId":"\#($0)","# } ?? ""
        return #"{"type":1,\#(idField)"target":"\#(target)","arguments":\#(arguments)}"# + "\u{1e}"
    }

    @Test func severalHandlersRunInOrderWithTypedArguments() async throws {
        let calls = EventRecorder<String>()
        let (harness, server) = try await connected { connection in
            await connection.on("ReceiveMessage") { (user: String, message: String) in calls.record("a:\(user):\(message)") }
            await connection.on("ReceiveMessage") { (user: String, _: String) in calls.record("b:\(user)") }
        }
        server.transport.receive(invocation("ReceiveMessage", #"["ana","hi"]"#) + invocation("ReceiveMessage", #"["bo","yo"]"#))
        #expect(try await calls.next(4) == ["a:ana:hi", "b:ana", "a:bo:yo", "b:bo"])
        try await harness.connection.stop()
    }

    @Test func methodNamesAreCaseInsensitive() async throws {
        let received = EventRecorder<String>()
        let (harness, server) = try await connected { connection in
            await connection.on("receivemessage") { (text: String) in received.record(text) }
        }
        server.transport.receive(invocation("ReceiveMessage", #"["x"]"#) + invocation("RECEIVEMESSAGE", #"["y"]"#))
        #expect(try await received.next(2) == ["x", "y"])
        try await harness.connection.stop()
    }

    @Test func subscriptionRemovesOneHandlerAndOffRemovesAll() async throws {
        let calls = EventRecorder<String>()
        let (harness, server) = try await connected()
        let connection = harness.connection
        let first = await connection.on("Tick") { (n: Int) in calls.record("first \(n)") }
        await connection.on("Tick") { (n: Int) in calls.record("second \(n)") }
        await first.remove()
        server.transport.receive(invocation("Tick", "[1]"))
        #expect(try await calls.next() == ["second 1"])
        await connection.off("tick")
        // Calls run in arrival order: once Marker's handler ran, Tick 2 was handled (by nobody).
        await connection.on("Marker") { () in calls.record("marker") }
        server.transport.receive(invocation("Tick", "[2]") + invocation("Marker", "[]"))
        #expect(try await calls.next() == ["marker"])
        #expect(harness.logs.contains(.warning, "No client method with the name 'tick' found."))
        try await connection.stop()
    }

    @Test func wrongArgumentTypesAndThrowingHandlersAreLoggedAndTheConnectionStays() async throws {
        struct Boom: Error {}
        let received = EventRecorder<Int>()
        let (harness, server) = try await connected { connection in
            await connection.on("Number") { (n: Int) in received.record(n) }
            await connection.on("Throws") { () in throw Boom() }
        }
        server.transport.receive(invocation("Number", #"["not a number"]"#) + invocation("Throws", "[]") + invocation("Number", "[7]"))
        // The call with the wrong argument records nothing: the first number recorded is 7.
        #expect(try await received.first() == 7)
        #expect(harness.logs.contains(.error, "A callback for the method 'number' threw error"))
        #expect(harness.logs.contains(.error, "A callback for the method 'throws' threw error"))
        #expect(await harness.connection.state == .connected)
        try await harness.connection.stop()
    }

    @Test func aCallExpectingAResultGetsTheNoResultError() async throws {
        let (harness, server) = try await connected { connection in
            await connection.on("Ask") { () in }
        }
        server.transport.receive(invocation("Ask", "[]", id: "42"))
        guard case .completion(let completion) = try await server.nextMessage() else {
            Issue.record("Expected a completion")
            return
        }
        #expect(completion.invocationId == "42")
        #expect(completion.error == "Client didn't provide a result.")
        try await harness.connection.stop()
    }

    @Test func stopFromInsideAHandlerDoesNotDeadlock() async throws {
        let stopped = EventRecorder<Bool>()
        let transport = FakeTransportConnection()
        let harness = try Harness(transports: [transport])
        let connection = harness.connection
        await connection.on("Bye") { () in
            try await connection.stop()
            stopped.record(true)
        }
        let server = FakeServer(transport)
        try await harness.start(server)
        transport.receive(invocation("Bye", "[]"))
        #expect(try await stopped.first())
        #expect(await connection.state == .disconnected)
    }
}
