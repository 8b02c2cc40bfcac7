import NIOSSL

/// Sends the requests of one HTTP transport connection (Server-Sent Events, Long Polling) the way
/// the official client's `AccessTokenHttpClient` and cookie jar do: each request carries the
/// connection's current headers (token, cookies, the user's headers); a 401 asks the access-token
/// provider for a fresh token and sends the request once more; the `Set-Cookie` headers of every
/// response are kept for later requests.
///
/// Without an ``HTTPConnectionContext`` (a transport used on its own), the connect request's
/// headers go on every request unchanged and a 401 is not retried.
struct AuthorizedHTTPClient: Sendable {
    let client: any HTTPTransportClient
    /// The connect request's headers: used when there is no context.
    let fixedHeaders: [String: String]
    let context: HTTPConnectionContext?

    init(client: any HTTPTransportClient, request: TransportRequest) {
        self.client = client
        self.fixedHeaders = request.headers
        self.context = request.context
    }

    /// Thrown by a stream's head callback to ask for the retry after a 401.
    private struct Unauthorized: Error {}

    /// Sends `request` (its headers are the transport's defaults, which the connection's headers
    /// follow and may override) and reads the whole answer.
    /// - Throws: the client's errors, or what the access-token provider throws.
    func execute(_ request: HTTPTransportRequest) async throws -> HTTPTransportResponse {
        var response = try await client.execute(prepare(request))
        context?.storeCookies(response.head.setCookies)
        if response.head.status == 401, try await renew() {
            response = try await client.execute(prepare(request))
            context?.storeCookies(response.head.setCookies)
        }
        return response
    }

    /// Sends `request` and streams its answer to `head` and `chunk` (see
    /// ``HTTPTransportClient/stream(_:head:chunk:)``); a 401 is retried once before `head` sees it.
    /// - Throws: what `head` or `chunk` throw, the client's errors, or what the provider throws.
    func stream(
        _ request: HTTPTransportRequest,
        head: (HTTPTransportHead) throws -> Void,
        chunk: ([UInt8]) throws -> Void
    ) async throws {
        let context = self.context
        var mayRetry = context?.canRenewAccessToken ?? false
        while true {
            do {
                try await client.stream(try await prepare(request)) { answer in
                    context?.storeCookies(answer.setCookies)
                    if answer.status == 401, mayRetry { throw Unauthorized() }
                    try head(answer)
                } chunk: { bytes in
                    try chunk(bytes)
                }
                return
            } catch is Unauthorized {
                mayRetry = false
                guard try await renew() else { continue }
            }
        }
    }

    /// Asks for a fresh token after a 401; false when there is no provider to ask.
    private func renew() async throws -> Bool {
        guard let context else { return false }
        return try await context.renewAccessToken()
    }

    /// `request` with the connection's headers after its own, and the TLS settings.
    private func prepare(_ request: HTTPTransportRequest) async throws -> HTTPTransportRequest {
        var prepared = request
        let connectionHeaders = try await context?.headers() ?? fixedHeaders
        prepared.headers += connectionHeaders.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
        prepared.tlsConfiguration = context?.tlsConfiguration
        return prepared
    }
}
