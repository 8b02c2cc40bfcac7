import SignalRMacros

/// The demo chat hub's methods, typed: `@HubProxy` generates `ChatHubProxy`.
@HubProxy
protocol ChatHub {
    /// Broadcasts `ReceiveMessage(user, message)` to every client; sent without waiting, as
    /// the official docs' chat does.
    @HubSend func sendMessage(user: String, message: String) async throws
}

/// What the chat hub calls on its clients: `@HubReceiver` generates `ChatClientReceiver`.
@HubReceiver
protocol ChatClient: Sendable {
    func receiveMessage(user: String, message: String) async
}

/// A chat client that hands each message it receives, labelled with its own name, to a stream.
struct ChatLines: ChatClient {
    let name: String
    let lines: AsyncStream<String>.Continuation

    func receiveMessage(user: String, message: String) async {
        lines.yield("[\(name)] ReceiveMessage: \(user): \(message)")
    }
}
