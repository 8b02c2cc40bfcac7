import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// One request of the HTTP-based transports (Server-Sent Events and Long Polling).
struct HTTPTransportRequest: Sendable, Equatable {
    /// `GET`, `POST` or `DELETE`.
    var method: HTTPMethod
    /// The full URL, query included.
    var url: String
    /// The headers to send, in order; later entries replace earlier ones with the same name
    /// (so the user's headers override the transport's defaults, as in the official client).
    var headers: [(name: String, value: String)]
    /// The request body, if any.
    var body: [UInt8]?
    /// How long the whole request (response body included) may take; nil for no limit.
    var timeout: Duration?
    /// The TLS settings for `https`; nil verifies against the system's trust roots. Not compared by `==`.
    var tlsConfiguration: TLSConfiguration? = nil

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.method == rhs.method && lhs.url == rhs.url && lhs.body == rhs.body && lhs.timeout == rhs.timeout
            && lhs.headers.map(\.name) == rhs.headers.map(\.name) && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }

    /// The value of the last header named `name` (case-insensitive).
    func header(_ name: String) -> String? {
        headers.last { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// The status line and the headers the transports look at.
struct HTTPTransportHead: Sendable, Equatable {
    /// The status code, e.g. 200.
    var status: Int
    /// The reason phrase, e.g. `Not Found`.
    var reason: String
    /// The `Content-Type` header, if any.
    var contentType: String?
    /// The `Set-Cookie` headers, kept by the connection for its later requests.
    var setCookies: [String] = []
}

/// A response read in full.
struct HTTPTransportResponse: Sendable, Equatable {
    var head: HTTPTransportHead
    var body: [UInt8]
}

/// The HTTP seam of the HTTP-based transports, so their logic can be tested without a server.
protocol HTTPTransportClient: Sendable {
    /// Sends `request` and reads the whole response body.
    /// - Throws: ``HTTPTransportTimeout`` when `request.timeout` elapses; the client's error
    ///   when the request fails; `CancellationError` (or the client's) when the task is cancelled.
    func execute(_ request: HTTPTransportRequest) async throws -> HTTPTransportResponse

    /// Sends `request` and passes its response to the callbacks as it arrives: `head` once,
    /// then `chunk` for each piece of the body. Returns when the body ends.
    /// - Throws: what `head` or `chunk` throw, or the client's error.
    func stream(
        _ request: HTTPTransportRequest,
        head: (HTTPTransportHead) throws -> Void,
        chunk: ([UInt8]) throws -> Void
    ) async throws
}

/// The request's timeout elapsed (the official client's `TimeoutError`: "A timeout occurred.").
struct HTTPTransportTimeout: Error, Sendable, Equatable {}

/// ``HTTPTransportClient`` on AsyncHTTPClient.
///
/// Uses the module's ``SharedHTTPClient`` (never shut down, no read timeout: a quiet Server-Sent
/// Events stream or a poll held for 90 s must not be cut). Timeouts are applied per request instead.
struct AsyncHTTPTransportClient: HTTPTransportClient {
    /// The largest response body read in full (Long Polling), in bytes.
    static let maximumBodySize = 1 << 26

    let client: HTTPClient

    init(client: HTTPClient = SharedHTTPClient.client) {
        self.client = client
    }

    func execute(_ request: HTTPTransportRequest) async throws -> HTTPTransportResponse {
        let client = self.client
        let prepared = Self.prepare(request)
        let operation: @Sendable () async throws -> HTTPTransportResponse = {
            let response = try await client.execute(prepared, deadline: .distantFuture)
            let body = try await response.body.collect(upTo: Self.maximumBodySize)
            return HTTPTransportResponse(head: Self.head(response), body: Array(body.readableBytesView))
        }
        guard let timeout = request.timeout else { return try await operation() }
        return try await withHTTPTimeout(timeout, operation)
    }

    func stream(
        _ request: HTTPTransportRequest,
        head: (HTTPTransportHead) throws -> Void,
        chunk: ([UInt8]) throws -> Void
    ) async throws {
        let response = try await client.execute(Self.prepare(request), deadline: .distantFuture)
        try head(Self.head(response))
        for try await buffer in response.body {
            try chunk(Array(buffer.readableBytesView))
        }
    }

    static func prepare(_ request: HTTPTransportRequest) -> HTTPClientRequest {
        var prepared = HTTPClientRequest(url: request.url)
        prepared.method = request.method
        for (name, value) in request.headers {
            prepared.headers.replaceOrAdd(name: name, value: value)
        }
        if let body = request.body {
            prepared.body = .bytes(ByteBuffer(bytes: body))
        }
        prepared.tlsConfiguration = request.tlsConfiguration
        return prepared
    }

    static func head(_ response: HTTPClientResponse) -> HTTPTransportHead {
        HTTPTransportHead(
            status: Int(response.status.code), reason: response.status.reasonPhrase,
            contentType: response.headers.first(name: "Content-Type"),
            setCookies: response.headers["Set-Cookie"]
        )
    }

    /// True for the timeouts of this client (ours and AsyncHTTPClient's own).
    static func isTimeout(_ error: any Error) -> Bool {
        if error is HTTPTransportTimeout { return true }
        if let error = error as? HTTPClientError {
            return error == .deadlineExceeded || error == .readTimeout
        }
        return false
    }
}

/// Runs `operation`, throwing ``HTTPTransportTimeout`` when it takes longer than `timeout`
/// (then the operation is cancelled and awaited before this returns).
func withHTTPTimeout<Result: Sendable>(
    _ timeout: Duration, _ operation: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Result?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw HTTPTransportTimeout()
        }
        defer { group.cancelAll() }
        while let next = try await group.next() {
            if let result = next { return result }
        }
        throw CancellationError()
    }
}

/// The official client's `HttpError` text: `"<reason phrase>: Status code '<code>'"`.
enum HTTPStatusError {
    static func make(_ head: HTTPTransportHead) -> SignalRError {
        SignalRError(.transportFailed, "\(head.reason): Status code '\(head.status)'", statusCode: head.status)
    }
}
