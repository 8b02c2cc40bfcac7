import AsyncHTTPClient

/// The one process-wide `HTTPClient` of this module (negotiate and the HTTP transports).
///
/// Like `HTTPClient.shared` it is never shut down, so no connection has a client
/// lifecycle to leak, but with two settings changed for SignalR:
/// - no read timeout: a quiet Server-Sent Events stream or a poll the server holds for
///   90 s must not be cut; each request brings its own timeout instead;
/// - no retrying of failed connection attempts: a server that is not there fails `start()`
///   at once, as it does in the official client, instead of after the request timeout (100 s);
/// - many connections per host: every Server-Sent Events or Long Polling connection holds one
///   HTTP connection open (its stream or its poll) and sends on another, so AsyncHTTPClient's
///   default of 8 per host stalled the ninth hub connection to a server (its requests queued
///   behind streams and polls that never end), until its handshake timed out.
enum SharedHTTPClient {
    /// HTTP connections per host: room for 2,000 hub connections over HTTP transports.
    static let maximumConnectionsPerHost = 4096

    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.timeout.read = nil
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = maximumConnectionsPerHost
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}
