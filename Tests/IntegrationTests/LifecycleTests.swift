import Foundation
import SignalRClient
import SignalRProtocol
import SignalRServer
import SignalRServerTesting
import SignalRTestSupport
import Testing

/// Start, stop, failures and timeouts of a real connection over loopback.
@Suite struct LifecycleTests {
    @Test func wrongStateErrorsUseTheOfficialTexts() async throws {
        try await withServer { server in
            let connection = try HubConnectionBuilder().withUrl(await server.testHubURL).build()
            let notConnected = await caught { try await connection.send("Echo", "x") }
            #expect((notConnected as? SignalRError)?.message == "Cannot send data if the connection is not in the 'Connected' State.")
            #expect((notConnected as? SignalRError)?.code == .invalidState)
            try await connection.start()
            let twice = await caught { try await connection.start() }
            #expect((twice as? SignalRError)?.message == "Cannot start a HubConnection that is not in the 'Disconnected' state.")
            try await connection.stop()
            #expect(await connection.state == .disconnected)
            let afterStop = await caught { let _: Int = try await connection.invoke("Add", 1, 2) }
            #expect((afterStop as? SignalRError)?.code == .invalidState)
        }
    }

    @Test func startFailsWhenNothingListens() async throws {
        // A port that was just free: bind the server, read its port, stop it.
        let server = try await SignalRTestServer.start(host: "127.0.0.1", port: 0)
        let url = await server.testHubURL
        await server.stop()
        let connection = try HubConnectionBuilder().withUrl(url).build()
        let closes = EventRecorder<String>()
        await connection.onClose { _ in closes.record("closed") }
        let error = await caught { try await withTimeout(.seconds(10)) { try await connection.start() } }
        #expect(error is SignalRError)
        #expect(await connection.state == .disconnected)
        // A failed start() runs no onClose, as in the official client; a later start works.
        let restarted = try await SignalRTestServer.start(host: "127.0.0.1", port: Int(URL(string: url)?.port ?? 0))
        try await connection.start()
        #expect(await connection.state == .connected)
        try await connection.stop()
        await restarted.stop()
        #expect(try await closes.next(1) == ["closed"])
    }

    @Test func handshakeRejectedFailsStartWithTheServersText() async throws {
        try await withServer { server in
            let connection = try HubConnectionBuilder().withUrl(await server.testHubURL)
                .withHubProtocol(UnknownHubProtocol()).build()
            let error = await caught { try await connection.start() }
            let signalR = try #require(error as? SignalRError)
            #expect(signalR.code == .handshakeRejected)
            #expect(signalR.message.hasPrefix("Server returned handshake error: "))
            #expect(signalR.message.contains("bogus"))
            #expect(await connection.state == .disconnected)
        }
    }

    @Test func negotiateErrorsFailStart() async throws {
        try await withServer { server in
            await server.faults.refuseNegotiate(status: 503, times: 1)
            let connection = try HubConnectionBuilder().withUrl(await server.testHubURL).build()
            let status = await caught { try await connection.start() }
            #expect((status as? SignalRError)?.message == "Failed to complete negotiation with the server: Error: Service Unavailable: Status code '503'")
            #expect((status as? SignalRError)?.statusCode == 503)
            await server.faults.refuseNegotiate(error: "Not allowed here.", times: 1)
            let refused = await caught { try await connection.start() }
            #expect((refused as? SignalRError)?.message == "Not allowed here.")
            try await connection.start()
            try await connection.stop()
        }
    }

    @Test func serverTimeoutClosesASilentConnection() async throws {
        var configuration = HubServerConfiguration()
        configuration.keepAliveInterval = .seconds(30)  // the server stays silent
        try await withServer(configuration: configuration) { server in
            let connection = try await connect(await server.testHubURL) { builder in
                builder.withKeepAliveInterval(.milliseconds(100)).withServerTimeout(.milliseconds(400))
            }
            let closes = EventRecorder<SignalRError?>()
            await connection.onClose { error in closes.record(error) }
            let error = try await closes.first(within: .seconds(10))
            #expect(error?.message == "Server timeout elapsed without receiving a message from the server.")
            #expect(await connection.state == .disconnected)
        }
    }

    @Test func keepAliveHoldsAnIdleConnectionOpenBeyondTheServersTimeout() async throws {
        var configuration = HubServerConfiguration()
        configuration.clientTimeoutInterval = .seconds(1)
        try await withServer(configuration: configuration) { server in
            let connection = try await connect(await server.testHubURL) { builder in
                builder.withKeepAliveInterval(.milliseconds(100)).withServerTimeout(.seconds(5))
            }
            // The hub answers after 2.5 s; meanwhile only keep-alive pings leave the client
            // (every 100 ms, so even a loaded machine stays far inside the 1 s client timeout).
            let waited: Int = try await connection.invoke("Delay", 2500)
            #expect(waited == 2500)
            #expect(await connection.state == .connected)
            try await connection.stop()
        }
    }

    @Test(arguments: ProtocolKind.allCases)
    func pendingInvokesFailWhenTheServerDropsTheConnection(kind: ProtocolKind) async throws {
        try await withServer { server in
            let connection = try await connect(await server.testHubURL, kind)
            let closes = EventRecorder<SignalRError?>()
            await connection.onClose { error in closes.record(error) }
            let started = EventRecorder<Int>()
            await connection.on("DelayStarted") { (milliseconds: Int) in started.record(milliseconds) }
            let pending = Task { try await connection.invoke("NotifyThenDelay", 10_000, returning: Int.self) }
            let id = try #require(await connection.connectionId)
            // Once the hub runs the invocation (it says so first), drop the TCP connection
            // without a Close. (Another invocation cannot tell: the hub runs one at a time.)
            #expect(try await started.first() == 10_000)
            #expect(await server.drop(connectionId: id))
            let failure = await caught { _ = try await withTimeout(.seconds(10)) { try await pending.value } }
            #expect((failure as? SignalRError) != nil, "\(String(describing: failure))")
            let closeError = try await closes.first()
            #expect(closeError != nil)
            #expect(await connection.state == .disconnected)
        }
    }

    @Test func serverCloseWithErrorEndsTheConnectionWithThatText() async throws {
        try await withServer { server in
            let connection = try await connect(await server.testHubURL)
            let closes = EventRecorder<SignalRError?>()
            await connection.onClose { error in closes.record(error) }
            _ = await caught { try await connection.invoke("CloseWithError", "maintenance") }
            let error = try await closes.first()
            #expect(error?.message == "Server returned an error on close: maintenance")
        }
    }

    @Test func stopLeavesNoSocketOrTaskBehind() async throws {
        try await withServer { server in
            let url = await server.testHubURL
            // Warm up process-wide pools (event loops, the shared HTTP client) first.
            let warm = try await connect(url)
            try await warm.stop()
            let before = try #require(openFileDescriptorCount())
            for kind in ProtocolKind.allCases {
                let connection = try await connect(url, kind)
                let closes = EventRecorder<SignalRError?>()
                await connection.onClose { error in closes.record(error) }
                let sum: Int = try await connection.invoke("Add", 1, 1)
                #expect(sum == 2)
                try await connection.stop()
                #expect(try await closes.first() == nil)
            }
            let after = try #require(openFileDescriptorCount())
            // Pooled negotiate connections of the shared HTTP client may stay open (at most one per host).
            #expect(after <= before + 1, "descriptors before \(before), after \(after)")
        }
    }
}
