/// One message of the SignalR hub protocol.
///
/// Each case carries the value type of one message type of the spec
/// (`src/SignalR/docs/specs/HubProtocol.md` in dotnet/aspnetcore). The numeric
/// type on the wire is ``HubMessage/messageType``.
public enum HubMessage: Sendable {
    /// Type 1: call a method on the peer, with or without waiting for a result.
    case invocation(InvocationMessage)
    /// Type 2: one item of a stream (server-to-client result stream or client upload).
    case streamItem(StreamItemMessage)
    /// Type 3: the end of an invocation or a stream, with a result, an error or nothing.
    case completion(CompletionMessage)
    /// Type 4: call a streaming method on the peer.
    case streamInvocation(StreamInvocationMessage)
    /// Type 5: ask the peer to stop a stream or invocation.
    case cancelInvocation(CancelInvocationMessage)
    /// Type 6: keep-alive; carries nothing.
    case ping
    /// Type 7: the sender is closing the connection.
    case close(CloseMessage)
    /// Type 8: stateful reconnect acknowledgement.
    case ack(AckMessage)
    /// Type 9: stateful reconnect resume point.
    case sequence(SequenceMessage)

    /// The message type number used on the wire.
    public var messageType: HubMessageType {
        switch self {
        case .invocation: return .invocation
        case .streamItem: return .streamItem
        case .completion: return .completion
        case .streamInvocation: return .streamInvocation
        case .cancelInvocation: return .cancelInvocation
        case .ping: return .ping
        case .close: return .close
        case .ack: return .ack
        case .sequence: return .sequence
        }
    }

    /// Whether stateful reconnect assigns this message a sequence id and buffers it
    /// for replay (Invocation, StreamItem, Completion, StreamInvocation, CancelInvocation).
    public var isSequenced: Bool {
        switch self {
        case .invocation, .streamItem, .completion, .streamInvocation, .cancelInvocation: return true
        case .ping, .close, .ack, .sequence: return false
        }
    }
}

/// The numeric message types of the hub protocol (1 to 9).
public enum HubMessageType: Int, Sendable, CaseIterable {
    case invocation = 1
    case streamItem = 2
    case completion = 3
    case streamInvocation = 4
    case cancelInvocation = 5
    case ping = 6
    case close = 7
    case ack = 8
    case sequence = 9
}
