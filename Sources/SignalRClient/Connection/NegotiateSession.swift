import Foundation
import Logging

/// The state one `start()` shares across negotiate requests and transport connects:
/// the redirect's access token and the cookies the server set.
final class NegotiateSession: Sendable {
    private struct State {
        var redirectToken: String?
        var cookies: [String: String]
    }

    let options: HttpConnectionOptions
    let requester: any HTTPRequester
    let logger: Logger
    /// Adds `useStatefulReconnect=true` to negotiate requests.
    let useStatefulReconnect: Bool
    private let state: Locked<State>

    init(options: HttpConnectionOptions, requester: any HTTPRequester, logger: Logger, useStatefulReconnect: Bool = false) {
        self.options = options
        self.useStatefulReconnect = useStatefulReconnect
        self.requester = requester
        self.logger = logger
        self.state = Locked(State(redirectToken: nil, cookies: options.cookies))
    }

    /// From now on, send `token` instead of asking the access-token provider (negotiate redirect).
    func useRedirectToken(_ token: String) {
        state.withLock { $0.redirectToken = token }
    }

    /// The headers for a request: user agent, `Authorization`, `Cookie`, then the user's headers
    /// (which win, as in the official client).
    /// - Throws: what the access-token provider throws.
    func requestHeaders() async throws -> [String: String] {
        var headers = [UserAgent.headerName: UserAgent.value]
        let (redirectToken, cookies) = state.withLock { ($0.redirectToken, $0.cookies) }
        let token: String?
        if let redirectToken {
            token = redirectToken
        } else {
            token = try await options.accessTokenFactory?()
        }
        if let token, !token.isEmpty {
            headers["Authorization"] = "Bearer \(token)"
        }
        if !cookies.isEmpty {
            headers["Cookie"] = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        }
        for (name, value) in options.headers {
            if let existing = headers.keys.first(where: { $0.lowercased() == name.lowercased() }) {
                headers[existing] = nil
            }
            headers[name] = value
        }
        return headers
    }

    /// Sends one negotiate request for `hubURL` and parses the answer.
    /// A 401 asks the token provider again and retries once.
    /// - Throws: ``SignalRError`` with ``SignalRError/Code/negotiationFailed``.
    func negotiate(_ hubURL: String) async throws -> NegotiateResponse {
        let url = NegotiateURL.negotiate(hubURL, useStatefulReconnect: useStatefulReconnect)
        logger.debug("Sending negotiation request.", metadata: ["signalr.url": "\(url)"])
        var result = try await post(url)
        let canRefresh = options.accessTokenFactory != nil && state.withLock { $0.redirectToken == nil }
        if result.statusCode == 401, canRefresh {
            logger.debug("Negotiate returned 401; asking for a new access token and retrying once.")
            result = try await post(url)
        }
        guard (200..<300).contains(result.statusCode) else {
            throw SignalRError(
                .negotiationFailed, "Unexpected status code returned from negotiate '\(result.statusCode)'",
                statusCode: result.statusCode
            )
        }
        storeCookies(result.setCookies)
        logger.trace("Negotiate response.", metadata: ["signalr.bytes": "\(result.body.count)"])
        return try NegotiateResponse.parse(result.body)
    }

    private func post(_ url: String) async throws -> HTTPResult {
        let headers = try await requestHeaders()
        do {
            return try await requester.post(url: url, headers: headers, timeout: options.timeout)
        } catch let error as SignalRError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw SignalRError(
                .negotiationFailed, "Failed to complete negotiation with the server: \(error)", underlyingError: error
            )
        }
    }

    private func storeCookies(_ setCookies: [String]) {
        guard !setCookies.isEmpty else { return }
        state.withLock { state in
            for header in setCookies {
                let pair = header.split(separator: ";", maxSplits: 1).first ?? ""
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { continue }
                let name = parts[0].trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty else { continue }
                state.cookies[name] = parts[1].trimmingCharacters(in: .whitespaces)
            }
        }
    }
}
