import SignalRProtocol

/// The three SignalR transports, named as on the wire (`availableTransports[].transport`).
public enum TransportKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// WebSockets: text frames for JSON, binary frames for MessagePack.
    case webSockets = "WebSockets"
    /// Server-Sent Events: a `text/event-stream` response down, POST requests up; text only.
    case serverSentEvents = "ServerSentEvents"
    /// Long Polling: GET polls down, POST requests up, DELETE to end.
    case longPolling = "LongPolling"

    /// The transfer formats the transport can carry.
    public var transferFormats: [TransferFormat] {
        switch self {
        case .webSockets, .longPolling: return [.text, .binary]
        case .serverSentEvents: return [.text]
        }
    }

    public var description: String { rawValue }
}
