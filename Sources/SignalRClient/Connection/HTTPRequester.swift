import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// The answer to an HTTP request, read in full.
struct HTTPResult: Sendable, Equatable {
    var statusCode: Int
    var body: [UInt8]
    /// The `Set-Cookie` header values.
    var setCookies: [String]
    /// The status line's reason phrase (`Not Found`).
    var reason: String = ""
}

/// Sends the HTTP requests of the connection layer (negotiate; later SSE and Long Polling sends).
/// A seam so negotiation can be tested without a server.
protocol HTTPRequester: Sendable {
    /// Sends a `POST` with an empty body.
    /// - Throws: when the request cannot be sent or times out.
    func post(url: String, headers: [String: String], timeout: Duration) async throws -> HTTPResult
}

/// ``HTTPRequester`` on the module's ``SharedHTTPClient`` (nothing to shut down, so
/// nothing outlives the connection: each response body is read in full before returning).
struct AsyncHTTPClientRequester: HTTPRequester {
    /// The largest response body read, in bytes.
    static let maximumBodySize = 1 << 20

    let logger: Logger
    /// The TLS settings for `https` URLs; nil verifies against the system's trust roots.
    var tlsConfiguration: TLSConfiguration? = nil

    func post(url: String, headers: [String: String], timeout: Duration) async throws -> HTTPResult {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers {
            request.headers.replaceOrAdd(name: name, value: value)
        }
        request.body = .bytes(ByteBuffer())
        request.tlsConfiguration = tlsConfiguration
        let response = try await SharedHTTPClient.client.execute(request, timeout: .init(timeout), logger: logger)
        let body = try await response.body.collect(upTo: Self.maximumBodySize)
        return HTTPResult(
            statusCode: Int(response.status.code),
            body: Array(body.readableBytesView),
            setCookies: response.headers["Set-Cookie"],
            reason: response.status.reasonPhrase
        )
    }
}

/// The user agent of the official clients:
/// `Microsoft SignalR/<major.minor> (<version>; <OS>; <runtime>; <runtime version>)`.
enum UserAgent {
    /// This package's version.
    static let version = "1.0.0"

    static let headerName = "User-Agent"

    static var value: String {
        "Microsoft SignalR/1.0 (\(version); \(operatingSystem); Swift; \(swiftVersion))"
    }

    static var operatingSystem: String {
        #if os(Linux)
        return "Linux"
        #elseif os(macOS)
        return "macOS"
        #elseif os(iOS)
        return "iOS"
        #elseif os(Windows)
        return "Windows"
        #else
        return "Unknown OS"
        #endif
    }

    static var swiftVersion: String {
        #if compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #elseif compiler(>=6.1)
        return "6.1"
        #else
        return "6.0"
        #endif
    }
}
