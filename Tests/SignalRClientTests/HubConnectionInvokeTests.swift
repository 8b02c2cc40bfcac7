import Foundation
import Logging
import SignalRProtocol
import SignalRTestSupport
import Testing
@testable import SignalRClient

struct Point: Codable, Sendable, Equatable {
    var x: Int
    var y: Int
}

@Suite("HubConnection invoke and send")
struct HubConnectionInvokeTests {
    private func connected() async throws -> (Harness, FakeServer) {
        let transport = FakeTransportConnection()
        let harness = try Harness(transports: [transport])
        let server = FakeServer(transport)
        try await harness.start(server)
        return (harness, server)
    }

    @Test func invokeReturnsTheTypedResultAndUsesIdsFromZero() async throws {
        let (harness, server) = try await connected()
        let connection = harness.connection
        try await withTimeout {
            async let sum: Int = connection.invoke("Add", 1, 2)
            let invocation = try await server.nextInvocation()
            #expect(invocation.invocationId == "0")
            #expect(invocation.target == "Add")
            #expect(invocation.arguments.count == 2)
            server.complete("0", json: "3")
            #expect(try await sum == 3)

            async let point = connection.invoke("Move", Point(x: 1, y: 2), returning: Point.self)
            let second = try await server.nextInvocation()
            #expect(second.invocationId == "1")
            server.complete("1", json: #"{"x":2,"y":3}"#)
            #expect(try await point == Point(x: 2, y: 3))
        }
        try await connection.stop()
    }

    /// The connection reads through the transport's own `receive` (where the WebSockets
    /// transport reads its socket on the event loop), not through a protocol extension's
    /// method bound statically at the call site, which once hid it.
    @Test func theConnectionReadsThroughTheTransportsOwnReceive() async throws {
        let transport = FakeTransportConnection()
        let harness = try Harness(transports: [transport])
        try await harness.start(FakeServer(transport))
        #expect(transport.readThroughReceive.withLock { $0 })
        try await harness.connection.stop()
    }

    @Test func invokeWritesTheOfficialJSON() async throws {
        let (harness, server) = try await connected()
        let connection = harness.connection
        try await withTimeout {
            async let done: Void = connection.invoke("Echo", "hi")
            let payload = try await server.nextPayload()
            #expect(String(decoding: payload, as: UTF8.self) == #"{"type":1,"invocationId":"0","target":"Echo","arguments":["hi"]}"# + "\u{1e}")
            server.transport.receive(#"{"type":3,"invocationId":"0"}"# + "\u{1e}")
            try await done
        }
        try await connection.stop()
    }

    @Test func hubErrorCarriesTheServerMessage() async throws {
        let (harness, server) = try await connected()
        let connection = harness.connection
        let error = await #expect(throws: SignalRError.self) {
            try await withTimeout {
                async let result: String = connection.invoke("Fail")
                let invocation = try await server.nextInvocation()
                try server.send(.completion(CompletionMessage(invocationId: invocation.invocationId ?? "", result: .error("An unexpected error occurred invoking 'Fail' on the server."))))
                _ = try await result
            }
        }
        #expect(error?.code == .hubError)
        #expect(error?.message == "An unexpected error occurred invoking 'Fail' on the server.")
        #expect(error?.localizedDescription == "An unexpected error occurred invoking 'Fail' on the server.")
        #expect(await connection.state == .connected)
        try await connection.stop()
    }

    @Test func voidAndOptionalResults() async throws {
        let (harness, server) = try await connected()
        let connection = harness.connection
        try await withTimeout {
            async let none: String? = connection.invoke("Nothing")
            let first = try await server.nextInvocation()
            server.transport.receive(#"{"type":3,"invocationId":"\#(first.invocationId ?? "")"}"# + "\u{1e}")
            #expect(try await none == nil)

            async let null: Int? = connection.invoke("Null")
            let second = try await server.nextInvocation()
            server.complete(second.invocationId, json: "null")
            #expect(try await null == nil)

            async let wrong: Int = connection.invoke("Wrong")
            let third = try await server.nextInvocation()
            server.complete(third.invocationId, json: #""text""#)
            do {
                _ = try await wrong
                Issue.record("A string result must not decode as Int.")
            } catch let error as SignalRError {
                #expect(error.code == .protocolError)
            }
        }
        try await connection.stop()
    }

    @Test func sendWritesAnInvocationWithoutId() async throws {
        let (harness, server) = try await connected()
        try await withTimeout {
            try await harness.connection.send("SendMessage", "ana", "hi")
            let payload = try await server.nextPayload()
            #expect(String(decoding: payload, as: UTF8.self) == #"{"type":1,"target":"SendMessage","arguments":["ana","hi"]}"# + "\u{1e}")
        }
        try await harness.connection.stop()
    }

    @Test func invokeAndSendWhenNotConnectedFail() async throws {
        let harness = try Harness()
        let text = "Cannot send data if the connection is not in the 'Connected' State."
        let invokeError = await #expect(throws: SignalRError.self) { let _: Int = try await harness.connection.invoke("Add", 1, 2) }
        #expect(invokeError?.message == text)
        #expect(invokeError?.code == .invalidState)
        let sendError = await #expect(throws: SignalRError.self) { try await harness.connection.send("X") }
        #expect(sendError?.message == text)
    }

    @Test func cancellingTheCallerEndsTheWaitAndDropsTheLateCompletion() async throws {
        let (harness, server) = try await connected()
        let connection = harness.connection
        let task = Task { () -> Int in try await connection.invoke("Slow") }
        let invocation = try await server.nextInvocation()
        task.cancel()
        let outcome = await task.result
        #expect(throws: CancellationError.self) { try outcome.get() }
        server.complete(invocation.invocationId, json: "1")
        try await withTimeout {
            async let next: Int = connection.invoke("Fast")
            let second = try await server.nextInvocation()
            server.complete(second.invocationId, json: "2")
            #expect(try await next == 2)
        }
        #expect(await connection.state == .connected)
        try await connection.stop()
    }

    @Test func pendingInvocationsFailWithTheTransportError() async throws {
        let (harness, server) = try await connected()
        let connection = harness.connection
        let error = await #expect(throws: SignalRError.self) {
            try await withTimeout {
                async let result: Int = connection.invoke("Never")
                _ = try await server.nextInvocation()
                server.transport.serverClose(error: SignalRError(.transportFailed, "WebSocket closed with status code: 1011 (boom)."))
                _ = try await result
            }
        }
        #expect(error?.message == "WebSocket closed with status code: 1011 (boom).")
        #expect(await connection.state == .disconnected)
    }

    @Test func pendingInvocationsFailWithTheCanceledTextOnStop() async throws {
        let (harness, server) = try await connected()
        let connection = harness.connection
        let error = await #expect(throws: SignalRError.self) {
            try await withTimeout {
                async let result: Int = connection.invoke("Never")
                _ = try await server.nextInvocation()
                try await connection.stop()
                _ = try await result
            }
        }
        #expect(error?.message == "Invocation canceled due to the underlying connection being closed.")
        #expect(error?.code == .connectionClosed)
    }
}
