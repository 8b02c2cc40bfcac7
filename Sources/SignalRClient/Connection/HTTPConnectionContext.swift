import Foundation
import NIOSSL

/// The HTTP state that negotiate and every transport request of one connection share: the user's
/// headers, the access token, the cookies the server set, and the TLS configuration.
///
/// The official clients wrap their HTTP client for this (`AccessTokenHttpClient` plus the cookie
/// jar): negotiate asks the access-token provider for a token, later requests reuse it, a request
/// answered 401 asks the provider for a fresh one and is sent once more, and a `Set-Cookie` on any
/// response (negotiate or transport, e.g. a load balancer's affinity cookie) is sent back on every
/// later request. A negotiate redirect's `accessToken` replaces the provider for the rest of the
/// connection (Azure SignalR Service), so it is never refreshed.
///
/// The built-in transports use it through ``TransportRequest/context``; a custom transport can
/// do the same:
///
/// ```swift
/// var headers = try await request.context?.headers() ?? request.headers
/// var response = try await send(url, headers)
/// if response.status == 401, try await request.context?.renewAccessToken() == true {
///     headers = try await request.context?.headers() ?? headers
///     response = try await send(url, headers)
/// }
/// request.context?.storeCookies(response.setCookieHeaders)
/// ```
public final class HTTPConnectionContext: Sendable {
    private struct State {
        /// The token of the last provider call (reused until a 401 or the next negotiate).
        var accessToken: String?
        /// Whether the provider was asked at all (it may answer nil: then no header is sent).
        var fetched = false
        /// Set by a negotiate redirect: used from then on, never refreshed.
        var redirectToken: String?
    }

    /// The user's headers: they override the library's own (User-Agent included).
    public let userHeaders: [String: String]
    /// The TLS settings of `https`/`wss` requests; nil verifies against the system's trust roots.
    public let tlsConfiguration: TLSConfiguration?
    private let accessTokenFactory: (@Sendable () async throws -> String?)?
    private let state: Locked<State>
    /// Shared by every start of one hub connection, like the official client's cookie jar.
    private let cookieJar: Locked<[String: String]>

    /// Creates the context of one connection from the user's options (their ``HttpConnectionOptions/cookies``
    /// are the initial cookies).
    public convenience init(options: HttpConnectionOptions) {
        self.init(options: options, cookieJar: Locked(options.cookies))
    }

    /// Creates the context of one start of a hub connection whose cookies live in `cookieJar`
    /// (kept across reconnects: a load balancer's affinity cookie keeps working).
    init(options: HttpConnectionOptions, cookieJar: Locked<[String: String]>) {
        self.userHeaders = options.headers
        self.tlsConfiguration = options.tlsConfiguration
        self.accessTokenFactory = options.accessTokenFactory
        self.state = Locked(State())
        self.cookieJar = cookieJar
    }

    /// Whether a 401 can be answered with a fresh token: a provider is set and no redirect token replaced it.
    public var canRenewAccessToken: Bool {
        accessTokenFactory != nil && state.withLock { $0.redirectToken == nil }
    }

    /// From now on, send `token` instead of asking the access-token provider (negotiate redirect).
    func useRedirectToken(_ token: String) {
        state.withLock { $0.redirectToken = token }
    }

    /// Asks the access-token provider for a fresh token and keeps it for later requests.
    /// - Returns: false when there is nothing to renew (no provider, or a redirect token is in use).
    /// - Throws: what the provider throws.
    @discardableResult
    public func renewAccessToken() async throws -> Bool {
        guard canRenewAccessToken, let factory = accessTokenFactory else { return false }
        let token = try await factory()
        state.withLock {
            $0.accessToken = token
            $0.fetched = true
        }
        return true
    }

    /// The headers of a request: user agent, `Authorization: Bearer <token>`, `Cookie`, then the user's
    /// headers (which win, as in the official client). Header values are secrets: never log them.
    /// - Parameter freshToken: ask the provider for a new token first (negotiate and each WebSocket
    ///   connect do, as the official client); otherwise the last token is reused (one is fetched
    ///   when there is none yet).
    /// - Throws: what the access-token provider throws.
    public func headers(freshToken: Bool = false) async throws -> [String: String] {
        let needsToken = state.withLock { $0.redirectToken == nil && (!$0.fetched || freshToken) }
        if needsToken { try await renewAccessToken() }
        let token = state.withLock { $0.redirectToken ?? $0.accessToken }
        let cookies = cookieJar.withLock { $0 }
        var headers = [UserAgent.headerName: UserAgent.value]
        if let token, !token.isEmpty {
            headers["Authorization"] = "Bearer \(token)"
        }
        if !cookies.isEmpty {
            headers["Cookie"] = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        }
        for (name, value) in userHeaders {
            if let existing = headers.keys.first(where: { $0.lowercased() == name.lowercased() }) {
                headers[existing] = nil
            }
            headers[name] = value
        }
        return headers
    }

    /// The cookies sent with each request, as `name → value`.
    public var cookies: [String: String] {
        cookieJar.withLock { $0 }
    }

    /// Keeps the cookies of a response's `Set-Cookie` headers for every later request of the
    /// connection (and of its reconnects). Only `name=value` is kept (attributes such as `Path` or
    /// `Expires` are ignored: the cookies live as long as the hub connection); an empty value removes
    /// the cookie.
    public func storeCookies(_ setCookieHeaders: [String]) {
        guard !setCookieHeaders.isEmpty else { return }
        cookieJar.withLock { cookies in
            for header in setCookieHeaders {
                let pair = header.split(separator: ";", maxSplits: 1).first ?? ""
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2 else { continue }
                let name = parts[0].trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty else { continue }
                let value = parts[1].trimmingCharacters(in: .whitespaces)
                cookies[name] = value.isEmpty ? nil : value
            }
        }
    }
}
