import Foundation
import Logging
import SignalRProtocol
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

    private func waitFor(_ condition: @escaping @Sendable () -> Bool) async throws {
        try await withTimeout { while !condition() { try await Task.sleep(for: .milliseconds(2)) } }
    }

    @Test func severalHandlersRunInOrderWithTypedArguments() async throws {
        let calls = Locked<[String]>([])
        let (harness, server) = try await connected { connection in
            await connection.on("ReceiveMessage") { (user: String, message: String) in calls.withLock { $0.append("a:\(user):\(message)") } }
            await connection.on("ReceiveMessage") { (user: String, _: String) in calls.withLock { $0.append("b:\(user)") } }
        }
        server.transport.receive(invocation("ReceiveMessage", #"["ana","hi"]"#) + invocation("ReceiveMessage", #"["bo","yo"]"#))
        try await waitFor { calls.withLock { $0.count == 4 } }
        #expect(calls.withLock { $0 } == ["a:ana:hi", "b:ana", "a:bo:yo", "b:bo"])
        try await harness.connection.stop()
    }

    @Test func methodNamesAreCaseInsensitive() async throws {
        let count = Locked(0)
        let (harness, server) = try await connected { connection in
            await connection.on("receivemessage") { (_: String) in count.withLock { $0 += 1 } }
        }
        server.transport.receive(invocation("ReceiveMessage", #"["x"]"#) + invocation("RECEIVEMESSAGE", #"["y"]"#))
        try await waitFor { count.withLock { $0 == 2 } }
        try await harness.connection.stop()
    }

    @Test func subscriptionRemovesOneHandlerAndOffRemovesAll() async throws {
        let calls = Locked<[String]>([])
        let (harness, server) = try await connected()
        let connection = harness.connection
        let first = await connection.on("Tick") { (n: Int) in calls.withLock { $0.append("first \(n)") } }
        await connection.on("Tick") { (n: Int) in calls.withLock { $0.append("second \(n)") } }
        await first.remove()
        server.transport.receive(invocation("Tick", "[1]"))
        try await waitFor { calls.withLock { $0.count == 1 } }
        #expect(calls.withLock { $0 } == ["second 1"])
        await connection.off("tick")
        server.transport.receive(invocation("Tick", "[2]") + invocation("Marker", "[]"))
        try await waitFor { harness.logs.contains(.warning, "No client method with the name 'marker' found.") }
        #expect(calls.withLock { $0 } == ["second 1"])
        #expect(harness.logs.contains(.warning, "No client method with the name 'tick' found."))
        try await connection.stop()
    }

    @Test func wrongArgumentTypesAndThrowingHandlersAreLoggedAndTheConnectionStays() async throws {
        struct Boom: Error {}
        let received = Locked<[Int]>([])
        let (harness, server) = try await connected { connection in
            await connection.on("Number") { (n: Int) in received.withLock { $0.append(n) } }
            await connection.on("Throws") { () in throw Boom() }
        }
        server.transport.receive(invocation("Number", #"["not a number"]"#) + invocation("Throws", "[]") + invocation("Number", "[7]"))
        try await waitFor { received.withLock { $0 == [7] } }
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
        let stopped = Locked(false)
        let transport = FakeTransportConnection()
        let harness = try Harness(transports: [transport])
        let connection = harness.connection
        await connection.on("Bye") { () in
            try await connection.stop()
            stopped.withLock { $0 = true }
        }
        let server = FakeServer(transport)
        try await harness.start(server)
        transport.receive(invocation("Bye", "[]"))
        try await waitFor { stopped.withLock { $0 } }
        #expect(await connection.state == .disconnected)
    }
}
