import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SignalRServer
import SignalRServerTesting
import SignalRTestSupport
import Testing

/// The record separator that ends JSON hub messages.
let rs = "\u{1e}"

/// Starts the test server, runs `body` with a time limit, and always stops the server.
func withTestServer(
    configuration: HubServerConfiguration = HubServerConfiguration(), limit: Duration = .seconds(20),
    _ body: @escaping @Sendable (HubServer) async throws -> Void
) async throws {
    let server = try await SignalRTestServer.start(configuration: configuration)
    do {
        try await withTimeout(limit) { try await body(server) }
    } catch {
        _ = try? await withTimeout(.seconds(20), "the server to stop") { await server.stop() }
        throw error
    }
    try await withTimeout(.seconds(20), "the server to stop") { await server.stop() }
}

/// An HTTP response reduced to what the tests look at.
struct RawResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
}

/// Sends one HTTP request with the shared client.
func http(
    _ method: HTTPMethod, _ url: String, body: [UInt8]? = nil, headers: [(String, String)] = [],
    timeout: Duration = .seconds(10)
) async throws -> RawResponse {
    var request = HTTPClientRequest(url: url)
    request.method = method
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
    let response = try await HTTPClient.shared.execute(request, timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000))
    let bytes = try await response.body.collect(upTo: 16 << 20)
    return RawResponse(status: Int(response.status.code), headers: response.headers, body: Array(bytes.readableBytesView))
}

/// Negotiates with version 1 and returns the body as JSON.
func negotiate(_ server: HubServer, path: String = SignalRTestServer.testHubPath, query: String = "negotiateVersion=1")
    async throws -> [String: Any]
{
    let response = try await http(.POST, await server.url(for: path) + "/negotiate?" + query)
    #expect(response.status == 200)
    return try #require(JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
}

/// Splits JSON hub messages on the record separator.
func records(_ text: String) -> [String] {
    text.split(separator: Character(rs), omittingEmptySubsequences: true).map(String.init)
}

/// Parses one JSON record into a dictionary.
func object(_ record: String) throws -> [String: Any] {
    try #require(JSONSerialization.jsonObject(with: Data(record.utf8)) as? [String: Any])
}

/// Short timers for tests.
func fastConfiguration() -> HubServerConfiguration {
    var configuration = HubServerConfiguration()
    configuration.longPollTimeout = .seconds(2)
    // Long enough that a test starved of CPU by a parallel soak does not lose its connection.
    configuration.disconnectTimeout = .seconds(10)
    configuration.ackInterval = .milliseconds(100)
    return configuration
}
