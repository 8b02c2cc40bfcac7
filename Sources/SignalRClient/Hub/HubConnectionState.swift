/// The states of a ``HubConnection`` (`HubConnectionState` of the official client).
public enum HubConnectionState: String, Sendable, Hashable, CustomStringConvertible {
    /// Not connected; ``HubConnection/start()`` may be called.
    case disconnected = "Disconnected"
    /// ``HubConnection/start()`` is negotiating, connecting the transport or handshaking.
    case connecting = "Connecting"
    /// Connected: `invoke`, `send` and incoming calls work.
    case connected = "Connected"
    /// ``HubConnection/stop()`` is closing the connection.
    case disconnecting = "Disconnecting"
    /// Automatic reconnect is restoring a lost connection (between attempts and during one).
    case reconnecting = "Reconnecting"

    public var description: String { rawValue }
}
