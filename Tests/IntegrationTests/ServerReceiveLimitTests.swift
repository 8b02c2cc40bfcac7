import SignalRClient
import SignalRServer
import SignalRTestSupport
import Testing

/// The hub's `maximumReceiveMessageSize` is the hub protocol's limit on one message, on every
/// transport, as in ASP.NET Core: a message may span WebSocket frames or POSTs, and one over
/// the limit ends the connection with an error.
@Suite struct ServerReceiveLimitTests {
    @Test(arguments: TransportCase.all)
    func aMessageOverTheLimitClosesTheConnectionWithAnError(cell: TransportCase) async throws {
        var configuration = TransportCase.serverConfiguration
        configuration.maximumReceiveMessageSize = 2_048
        try await withServer(configuration: configuration) { server in
            let connection = try await cell.connect(await server.testHubURL)
            let closes = EventRecorder<String>()
            await connection.onClose { error in closes.record(error?.message ?? "no error") }
            let fits = String(repeating: "a", count: 1_500)
            #expect(try await connection.invoke("Echo", fits, returning: String.self) == fits)
            await #expect(throws: SignalRError.self) {
                _ = try await connection.invoke("Echo", String(repeating: "a", count: 4_096), returning: String.self)
            }
            #expect(try await closes.first() == "Server returned an error on close: Connection closed with an error.")
        }
    }
}
