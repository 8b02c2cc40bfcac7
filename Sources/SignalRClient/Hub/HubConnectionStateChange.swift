/// A state of a ``HubConnection`` with what belongs to it, as ``HubConnection/stateChanges``
/// delivers it.
///
/// The official client reports these through `onclose`, `onreconnecting` and
/// `onreconnected` callbacks and the `state` property; this is the same information as
/// values, for `for await` loops and UI state.
public enum HubConnectionStateChange: Sendable, Equatable, CustomStringConvertible {
    /// ``HubConnection/start()`` is negotiating, connecting the transport or handshaking.
    case connecting
    /// Connected, with the id the server gave in negotiation (nil when negotiation was skipped).
    case connected(connectionId: String?)
    /// Automatic reconnect is restoring a lost connection; the error that ended it, if any.
    case reconnecting(SignalRError?)
    /// ``HubConnection/stop()`` is closing the connection.
    case disconnecting
    /// Not connected; the error that ended the connection or made ``HubConnection/start()``
    /// fail (nil after ``HubConnection/stop()``, a clean close, or before the first start).
    case disconnected(SignalRError?)

    /// The plain state (``HubConnection/state``) of this change.
    public var state: HubConnectionState {
        switch self {
        case .connecting: return .connecting
        case .connected: return .connected
        case .reconnecting: return .reconnecting
        case .disconnecting: return .disconnecting
        case .disconnected: return .disconnected
        }
    }

    public var description: String {
        switch self {
        case .connecting, .disconnecting: return state.rawValue
        case .connected(let connectionId): return "Connected(\(connectionId ?? "-"))"
        case .reconnecting(let error): return "Reconnecting(\(error?.message ?? "-"))"
        case .disconnected(let error): return "Disconnected(\(error?.message ?? "-"))"
        }
    }

    /// Errors compare as ``SignalRError`` does: by code, message and status code.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.connecting, .connecting), (.disconnecting, .disconnecting): return true
        case (.connected(let left), .connected(let right)): return left == right
        case (.reconnecting(let left), .reconnecting(let right)), (.disconnected(let left), .disconnected(let right)):
            return left == right
        default: return false
        }
    }
}
