import Foundation
import Logging

/// Sends the negotiate requests of one `start()` through the connection's ``HTTPConnectionContext``
/// (headers, token, cookies), following the official client's `_getNegotiationResponse`.
final class NegotiateSession: Sendable {
    let options: HttpConnectionOptions
    let requester: any HTTPRequester
    let logger: Logger
    /// Adds `useStatefulReconnect=true` to negotiate requests.
    let useStatefulReconnect: Bool
    /// The headers, token and cookies shared with the transport requests of this connection.
    let context: HTTPConnectionContext

    /// - Parameter cookieJar: the hub connection's cookies, kept across its starts and reconnects.
    init(
        options: HttpConnectionOptions, requester: any HTTPRequester, logger: Logger, useStatefulReconnect: Bool = false,
        cookieJar: Locked<[String: String]>
    ) {
        self.options = options
        self.useStatefulReconnect = useStatefulReconnect
        self.requester = requester
        self.logger = logger
        self.context = HTTPConnectionContext(options: options, cookieJar: cookieJar)
    }

    /// From now on, send `token` instead of asking the access-token provider (negotiate redirect).
    func useRedirectToken(_ token: String) {
        context.useRedirectToken(token)
    }

    /// The headers for a transport connect (see ``HTTPConnectionContext/headers(freshToken:)``).
    /// - Throws: what the access-token provider throws.
    func requestHeaders(freshToken: Bool = false) async throws -> [String: String] {
        try await context.headers(freshToken: freshToken)
    }

    /// Sends one negotiate request for `hubURL` and parses the answer. The access-token provider
    /// is asked for a fresh token first; a 401 asks it again and retries once.
    /// - Throws: ``SignalRError`` with ``SignalRError/Code/negotiationFailed``.
    func negotiate(_ hubURL: String) async throws -> NegotiateResponse {
        let url = NegotiateURL.negotiate(hubURL, useStatefulReconnect: useStatefulReconnect)
        logger.debug("Sending negotiation request.", metadata: ["signalr.url": "\(url)"])
        var result = try await post(url, freshToken: true)
        context.storeCookies(result.setCookies)
        if result.statusCode == 401, context.canRenewAccessToken {
            logger.debug("Negotiate returned 401; asking for a new access token and retrying once.")
            result = try await post(url, freshToken: true)
            context.storeCookies(result.setCookies)
        }
        guard (200..<300).contains(result.statusCode) else {
            throw Self.failedStatus(result)
        }
        guard result.statusCode == 200 else {
            throw SignalRError(
                .negotiationFailed, "Unexpected status code returned from negotiate '\(result.statusCode)'",
                statusCode: result.statusCode
            )
        }
        logger.trace("Negotiate response.", metadata: ["signalr.bytes": "\(result.body.count)"])
        let response = try NegotiateResponse.parse(result.body)
        if response.useStatefulReconnect, !useStatefulReconnect {
            throw SignalRError(.negotiationFailed, "Client didn't negotiate Stateful Reconnect but the server did.")
        }
        return response
    }

    /// The official client's error for a negotiate answered with a status outside 2xx: its HTTP
    /// client's `HttpError` (the body, or the reason phrase when the body is empty, then the
    /// status), wrapped as `_getNegotiationResponse` wraps it, with its hint for a 404.
    static func failedStatus(_ result: HTTPResult) -> SignalRError {
        let body = String(decoding: result.body, as: UTF8.self)
        let text = body.isEmpty ? result.reason : body
        var message = "Failed to complete negotiation with the server: Error: \(text): Status code '\(result.statusCode)'"
        if result.statusCode == 404 {
            message += " Either this is not a SignalR endpoint or there is a proxy blocking the connection."
        }
        return SignalRError(.negotiationFailed, message, statusCode: result.statusCode)
    }

    private func post(_ url: String, freshToken: Bool) async throws -> HTTPResult {
        let headers = try await context.headers(freshToken: freshToken)
        do {
            return try await requester.post(url: url, headers: headers, timeout: options.timeout)
        } catch let error as SignalRError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw SignalRError(
                .negotiationFailed, "Failed to complete negotiation with the server: \(TLSFailureText.describe(error))", underlyingError: error
            )
        }
    }
}
