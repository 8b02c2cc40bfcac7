import Foundation
import NIOSSL
import SignalRClient
import SignalRServer
import SignalRTestSupport
import Testing

/// HTTPS and WSS against the in-repo hub serving the self-signed test certificate: trusted through
/// ``HttpConnectionOptions/tlsConfiguration``, rejected without it, and mutual TLS.
@Suite(.timeLimit(.minutes(1))) struct TLSTests {
    private func options(_ transport: SingleTransport, tls: TLSConfiguration?) -> HttpConnectionOptions {
        var options = HttpConnectionOptions()
        options.transports = transport.type
        options.tlsConfiguration = tls
        return options
    }

    @Test(arguments: SingleTransport.allCases)
    func trustedThroughTheOptionConnectsAndInvokes(transport: SingleTransport) async throws {
        try await withServer(configuration: try TLSFixtures.hubConfiguration()) { server in
            #expect(await server.testHubURL.hasPrefix("https://127.0.0.1:"))
            let url = TLSFixtures.localhost(await server.testHubURL)
            let connection = try await connect(url, options: options(transport, tls: try TLSFixtures.client()))
            let sum: Int = try await withTimeout { try await connection.invoke("Add", 1, 2) }
            #expect(sum == 3)
            let used: String = try await withTimeout { try await connection.invoke("GetTransport") }
            #expect(used == transport.wireName)
            try await connection.stop()
        }
    }

    @Test(arguments: SingleTransport.allCases)
    func untrustedCertificateFailsStartWithAVerificationError(transport: SingleTransport) async throws {
        try await withServer(configuration: try TLSFixtures.hubConfiguration()) { server in
            let connection = try HubConnectionBuilder()
                .withUrl(TLSFixtures.localhost(await server.testHubURL), options: options(transport, tls: nil)).build()
            let error = await caught { try await withTimeout(.seconds(10), "start()") { try await connection.start() } }
            let signalRError = try #require(error as? SignalRError, "\(String(describing: error))")
            #expect(signalRError.message.contains("certificate"), "\(signalRError.message)")
            #expect(await connection.state == .disconnected)
        }
    }

    @Test func untrustedCertificateFailsAWebSocketConnectWithoutNegotiate() async throws {
        try await withServer(configuration: try TLSFixtures.hubConfiguration()) { server in
            var options = options(.webSockets, tls: nil)
            options.skipNegotiation = true
            let connection = try HubConnectionBuilder().withUrl(TLSFixtures.localhost(await server.testHubURL), options: options).build()
            let error = await caught { try await withTimeout(.seconds(10), "start()") { try await connection.start() } }
            let signalRError = try #require(error as? SignalRError, "\(String(describing: error))")
            #expect(signalRError.message.contains("certificate"), "\(signalRError.message)")
        }
    }

    /// swift-websocket cannot do TLS to an IP address (it sends the address as server name): the
    /// WebSocket attempt says so, and with every transport allowed the client falls back.
    @Test func webSocketsOverTLSToAnIPAddressSaySoAndFallBack() async throws {
        try await withServer(configuration: try TLSFixtures.hubConfiguration()) { server in
            let url = await server.testHubURL  // https://127.0.0.1:…
            let webSocketsOnly = try HubConnectionBuilder()
                .withUrl(url, options: options(.webSockets, tls: try TLSFixtures.client())).build()
            let error = await caught { try await withTimeout { try await webSocketsOnly.start() } }
            let message = (error as? SignalRError)?.message ?? "\(String(describing: error))"
            #expect(message.contains("WebSockets over TLS need a host name, not an IP address"), "\(message)")

            let connection = try await connect(url, options: HttpConnectionOptions(tlsConfiguration: try TLSFixtures.client()))
            let used: String = try await withTimeout { try await connection.invoke("GetTransport") }
            #expect(used == "ServerSentEvents")
            try await connection.stop()
        }
    }

    @Test(arguments: SingleTransport.allCases)
    func mutualTLSWithTheClientCertificateConnects(transport: SingleTransport) async throws {
        let configuration = try TLSFixtures.hubConfiguration(requireClientCertificate: true)
        try await withServer(configuration: configuration) { server in
            let tls = try TLSFixtures.client(withCertificate: true)
            let connection = try await connect(TLSFixtures.localhost(await server.testHubURL), options: options(transport, tls: tls))
            let echo: String = try await withTimeout { try await connection.invoke("Echo", "mtls") }
            #expect(echo == "mtls")
            try await connection.stop()
        }
    }

    @Test(arguments: SingleTransport.allCases)
    func mutualTLSWithoutAClientCertificateFails(transport: SingleTransport) async throws {
        let configuration = try TLSFixtures.hubConfiguration(requireClientCertificate: true)
        try await withServer(configuration: configuration) { server in
            let tls = try TLSFixtures.client(withCertificate: false)
            let connection = try HubConnectionBuilder()
                .withUrl(TLSFixtures.localhost(await server.testHubURL), options: options(transport, tls: tls)).build()
            let error = await caught { try await withTimeout(.seconds(10), "start()") { try await connection.start() } }
            #expect(error is SignalRError, "\(String(describing: error))")
            #expect(await connection.state == .disconnected)
        }
    }
}
