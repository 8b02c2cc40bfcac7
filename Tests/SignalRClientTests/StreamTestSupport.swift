import Foundation
import SignalRProtocol
import Testing
@testable import SignalRClient

/// Helpers for the stream, upload and client-result tests on the fake transport.
enum StreamFixture {
    /// A started connection on a fake transport, with handlers registered before start.
    static func connected(_ register: (HubConnection) async -> Void = { _ in }) async throws -> (Harness, FakeServer) {
        let transport = FakeTransportConnection()
        let harness = try Harness(transports: [transport])
        await register(harness.connection)
        let server = FakeServer(transport)
        try await harness.start(server)
        return (harness, server)
    }

    static func item(_ id: String, _ json: String) -> String {
        #"{"type":2,"invocationId":"\#(id)","item":\#(json)}"# + "\u{1e}"
    }

    static func completion(_ id: String, error: String? = nil) -> String {
        let errorField = error.map { #","error":"\#($0)""# } ?? ""
        return #"{"type":3,"invocationId":"\#(id)"\#(errorField)}"# + "\u{1e}"
    }

    static func invocation(_ target: String, _ arguments: String, id: String? = nil) -> String {
        let idField = id.map { #""invocationId":"\#($0)","# } ?? ""
        return #"{"type":1,\#(idField)"target":"\#(target)","arguments":\#(arguments)}"# + "\u{1e}"
    }

    /// The raw JSON of a value the client wrote (decoded by the fake server's JSON protocol).
    static func json(_ value: HubValue) -> String? {
        value.rawJSON.map { String(decoding: $0, as: UTF8.self) }
    }
}

extension FakeServer {
    /// The next message the client sent that is not a Ping.
    func nextNonPing() async throws -> HubMessage {
        while true {
            let message = try await nextMessage()
            if case .ping = message { continue }
            return message
        }
    }

    /// The next StreamInvocation the client sent.
    func nextStreamInvocation() async throws -> StreamInvocationMessage {
        guard case .streamInvocation(let message) = try await nextNonPing() else {
            throw TestFailure("Expected a StreamInvocation.")
        }
        return message
    }

    /// The next CancelInvocation the client sent; returns its id.
    func nextCancel() async throws -> String {
        guard case .cancelInvocation(let message) = try await nextNonPing() else {
            throw TestFailure("Expected a CancelInvocation.")
        }
        return message.invocationId
    }

    /// The next Completion the client sent.
    func nextCompletion() async throws -> CompletionMessage {
        guard case .completion(let message) = try await nextNonPing() else { throw TestFailure("Expected a Completion.") }
        return message
    }
}

/// Runs `body` and returns the error it throws, or nil.
func thrownError(_ body: () async throws -> Void) async -> (any Error)? {
    do {
        try await body()
        return nil
    } catch {
        return error
    }
}
