import HTTPTypes
import Hummingbird

/// Runs before every HTTP endpoint of the hubs (negotiate, SSE, polls, sends, DELETE): answers 401
/// when the authorization hook refuses the request (as ASP.NET Core's `[Authorize]` does on the
/// negotiate and connection endpoints), and passes the request and its answer to the hooks
/// (test cookies, the request recorder).
///
/// WebSocket upgrades never reach the router; ``WebSocketTransport`` asks the hook and records them.
struct HubRequestMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    /// The normalized hub paths.
    let hubPaths: Set<String>
    let authorize: (@Sendable (HubAuthorizationRequest) async -> Bool)?
    let hooks: any HubServerHooks

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let (kind, path) = classify(request) else { return try await next(request, context) }
        let transportRequest = HTTPHelpers.transportRequest(headers: request.headers, uri: request.uri)
        var response: Response
        if await Self.isAuthorized(kind: kind, path: path, request: transportRequest, authorize: authorize) {
            response = try await next(request, context)
        } else {
            response = HTTPHelpers.text(.unauthorized)
            response.headers[.wwwAuthenticate] = "Bearer"
        }
        for cookie in hooks.cookies(for: kind) {
            response.headers.append(HTTPField(name: .setCookie, value: cookie))
        }
        let status = response.status.code
        hooks.requestAnswered {
            HubRequestRecord(kind: kind, path: path, headers: transportRequest.headers, query: transportRequest.query, status: status)
        }
        return response
    }

    /// Asks the hook (when there is one) about a request.
    static func isAuthorized(
        kind: HubRequestKind, path: String, request: TransportRequest,
        authorize: (@Sendable (HubAuthorizationRequest) async -> Bool)?
    ) async -> Bool {
        guard let authorize else { return true }
        return await authorize(HubAuthorizationRequest(kind: kind, path: path, accessToken: request.accessToken))
    }

    /// The kind and hub path of a request to a hub endpoint; nil for other paths.
    private func classify(_ request: Request) -> (HubRequestKind, String)? {
        let path = WebSocketTransport.normalizedPath(request.uri.path)
        if request.method == .post, path.hasSuffix("/negotiate") {
            let hub = WebSocketTransport.normalizedPath(String(path.dropLast("/negotiate".count)))
            return hubPaths.contains(hub) ? (.negotiate, hub) : nil
        }
        guard hubPaths.contains(path) else { return nil }
        switch request.method {
        case .get:
            let wantsEvents = request.headers[.accept]?.lowercased().contains("text/event-stream") == true
            return (wantsEvents ? .serverSentEvents : .poll, path)
        case .post: return (.send, path)
        case .delete: return (.delete, path)
        default: return nil
        }
    }
}
