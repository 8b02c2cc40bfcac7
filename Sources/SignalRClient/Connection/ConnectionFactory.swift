import Logging
import SignalRProtocol

/// A transport connection that is open and ready for the hub handshake.
struct EstablishedConnection: Sendable {
    /// The open transport's scope, a child of the connection's owner task.
    var scope: TransportScope
    /// The open transport.
    var transport: any TransportConnection { scope.connection }
    /// The connection id from negotiation; nil when negotiation was skipped.
    var connectionId: String?
    /// The transport that connected (for logs).
    var transportName: String
    /// Set when the server granted stateful reconnect on this transport: reconnects it with
    /// the same connection token (no new negotiation), in a scope the opener starts.
    var resumeTransport: (@Sendable (TransportOpener) async throws -> TransportScope)? = nil
}

/// Opens the transport connection of a hub connection: negotiation, redirects, transport choice.
/// ``HTTPConnectionFactory`` is the real one; tests pass fakes.
protocol ConnectionFactory: Sendable {
    /// Opens a connection that carries `transferFormat`, its transport's scope started by `opener`.
    /// - Throws: ``SignalRError`` when negotiation or every transport fails.
    func connect(transferFormat: TransferFormat, logger: Logger, opener: TransportOpener) async throws -> EstablishedConnection

    /// The hub URL the next connect uses; nil for factories without one (test fakes).
    var baseUrl: String? { get }

    /// The same factory (its cookies and options included) connecting to `url` from now on.
    func replacingBaseUrl(_ url: String) -> any ConnectionFactory
}

extension ConnectionFactory {
    var baseUrl: String? { nil }

    func replacingBaseUrl(_ url: String) -> any ConnectionFactory { self }
}
