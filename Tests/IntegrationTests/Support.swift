import Foundation
import SignalRClient
import SignalRProtocol
import SignalRServer
import SignalRServerTesting
import SignalRTestSupport
import Testing

/// The hub protocols every scenario runs with.
enum ProtocolKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case json
    case messagepack

    var hubProtocol: any HubProtocol {
        switch self {
        case .json: return JSONHubProtocol()
        case .messagepack: return MessagePackHubProtocol()
        }
    }

    var testDescription: String { rawValue }
}

/// A hub protocol the server does not know: JSON under another name.
struct UnknownHubProtocol: HubProtocol {
    let inner = JSONHubProtocol()
    var name: String { "bogus" }
    var version: Int { 1 }
    var transferFormat: TransferFormat { .text }
    var maximumMessageSize: Int { inner.maximumMessageSize }
    func parseMessages(_ input: ArraySlice<UInt8>) throws -> (messages: [HubMessage], consumed: Int) {
        try inner.parseMessages(input)
    }
    func writeMessage(_ message: HubMessage, into buffer: inout [UInt8]) throws {
        try inner.writeMessage(message, into: &buffer)
    }
    func decode<T: Decodable>(_ type: T.Type, from value: HubValue) throws -> T {
        try inner.decode(type, from: value)
    }
}

/// Starts the in-repo hub server on a free loopback port, runs `body`, stops the server.
func withServer<T: Sendable>(
    configuration: HubServerConfiguration = HubServerConfiguration(),
    _ body: (HubServer) async throws -> T
) async throws -> T {
    let server = try await SignalRTestServer.start(host: "127.0.0.1", port: 0, configuration: configuration)
    do {
        let result = try await body(server)
        try await withTimeout(.seconds(20), "the server to stop") { await server.stop() }
        return result
    } catch {
        _ = try? await withTimeout(.seconds(20), "the server to stop") { await server.stop() }
        throw error
    }
}

extension HubServer {
    var testHubURL: String { get async { url(for: SignalRTestServer.testHubPath) } }
    var chatHubURL: String { get async { url(for: SignalRTestServer.chatHubPath) } }
}

/// A started connection to `url` with `kind`'s protocol; the builder can be adjusted.
func connect(
    _ url: String, _ kind: ProtocolKind = .json, options: HttpConnectionOptions = HttpConnectionOptions(),
    configure: (HubConnectionBuilder) -> HubConnectionBuilder = { $0 }
) async throws -> HubConnection {
    let connection = try configure(
        HubConnectionBuilder().withUrl(url, options: options).withHubProtocol(kind.hubProtocol)
    ).build()
    try await withTimeout(.seconds(10), "start()") { try await connection.start() }
    return connection
}

/// The error `body` throws, or nil.
func caught(_ body: () async throws -> Void) async -> (any Error)? {
    do {
        try await body()
        return nil
    } catch {
        return error
    }
}

struct Person: Codable, Equatable, Sendable {
    var name: String
    var age: Int
}
