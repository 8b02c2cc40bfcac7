import Foundation
import NIOCore
import NIOSSL
import SignalRClient
import SignalRServer
import Testing

/// The committed test CA, server and client certificates of `Tests/Fixtures/TLS` (see its README).
enum TLSFixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/TLS")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func certificates(_ name: String) throws -> [NIOSSLCertificate] {
        try NIOSSLCertificate.fromPEMFile(path(name))
    }

    static func key(_ name: String) throws -> NIOSSLPrivateKey {
        try NIOSSLPrivateKey(file: path(name), format: .pem)
    }

    /// The hub's TLS: the server certificate for 127.0.0.1/localhost; with `requireClientCertificate`,
    /// clients must present a certificate signed by the test CA (mutual TLS).
    static func server(requireClientCertificate: Bool = false) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try certificates("server.pem").map { .certificate($0) },
            privateKey: .privateKey(try key("server.key")))
        // Closing a connection waits this long for the client's close_notify, which an idle pooled
        // AsyncHTTPClient connection does not send: keep server stops quick.
        tls.shutdownTimeout = .milliseconds(200)
        if requireClientCertificate {
            tls.certificateVerification = .noHostnameVerification
            tls.trustRoots = .certificates(try certificates("ca.pem"))
        }
        return tls
    }

    /// A client TLS configuration that trusts the test CA, with the client certificate when asked.
    static func client(withCertificate: Bool = false) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try certificates("ca.pem"))
        if withCertificate {
            tls.certificateChain = try certificates("client.pem").map { .certificate($0) }
            tls.privateKey = .privateKey(try key("client.key"))
        }
        return tls
    }

    /// `url` with `localhost` for `127.0.0.1`: WebSockets over TLS need a host name (see
    /// `WebSocketTransport.connect`); the test certificate lists both.
    static func localhost(_ url: String) -> String {
        url.replacingOccurrences(of: "://127.0.0.1:", with: "://localhost:")
    }

    /// A server configuration serving https with the test certificate.
    static func hubConfiguration(requireClientCertificate: Bool = false) throws -> HubServerConfiguration {
        var configuration = HubServerConfiguration()
        configuration.tlsConfiguration = try server(requireClientCertificate: requireClientCertificate)
        return configuration
    }
}

/// The transports one at a time, for tests that run on each.
enum SingleTransport: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case webSockets, serverSentEvents, longPolling

    var type: HttpTransportType {
        switch self {
        case .webSockets: return .webSockets
        case .serverSentEvents: return .serverSentEvents
        case .longPolling: return .longPolling
        }
    }

    /// The name on the wire (what the test hub's `GetTransport` answers).
    var wireName: String {
        switch self {
        case .webSockets: return "WebSockets"
        case .serverSentEvents: return "ServerSentEvents"
        case .longPolling: return "LongPolling"
        }
    }

    var testDescription: String { rawValue }
}
