import Foundation
import SignalRServer
import SignalRServerTesting
import SignalRTestSupport
import Testing

/// Third-party Python SignalR clients (PyPI: pysignalr, signalrcore) against the Swift hub.
/// Installs them with `Tests/PythonPeers/install.sh` on first use; never skipped when `CI=true`.
@Suite("Python peers", .serialized)
struct PythonPeerTests {
    static let scenarios: [(script: String, arguments: [String])] = [
        ("pysignalr_peer.py", ["json"]),
        ("pysignalr_peer.py", ["messagepack"]),
        ("signalrcore_peer.py", ["json"]),
        ("signalrcore_peer.py", ["messagepack"]),
        ("signalrcore_peer.py", ["json", "serversentevents"]),
        ("signalrcore_peer.py", ["json", "longpolling"]),
    ]

    @Test("third-party clients connect, invoke Add, receive ReceiveMessage and stream Counter",
          arguments: 0..<scenarios.count)
    func peer(_ index: Int) async throws {
        guard await PythonPeer.ensureInstalled() else {
            if PythonPeer.isCI {
                Issue.record("CI=true but the Python peers could not be installed (Tests/PythonPeers/install.sh)")
            }
            return
        }
        let (script, arguments) = Self.scenarios[index]
        try await withTestServer(limit: .seconds(90)) { server in
            let url = await server.url(for: SignalRTestServer.testHubPath)
            let outcome = try await PythonPeer.run(script, [url] + arguments)
            #expect(!outcome.timedOut, "\(script) \(arguments) timed out:\n\(outcome.output)")
            #expect(outcome.status == 0, "\(script) \(arguments) failed:\n\(outcome.output)")
            #expect(outcome.output.contains("Add -> 3"), "\(outcome.output)")
            if !arguments.contains("longpolling") {
                #expect(outcome.output.contains("Counter -> [0, 1, 2]"), "\(outcome.output)")
            }
        }
    }
}
