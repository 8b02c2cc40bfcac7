import SignalRServer

/// The demo chat hub (served at `/hubs/chat` by ``SignalRTestServer``): `SendMessage(user, message)`
/// sends `ReceiveMessage(user, message)` to every client.
public enum ChatHub {
    /// Builds the chat hub.
    public static func make() -> Hub {
        var hub = Hub()
        hub.on("SendMessage") { (context: HubContext, user: String, message: String) in
            try await context.clients.all.send("ReceiveMessage", user, message)
        }
        return hub
    }
}
