import Foundation
import SignalRServer
import Testing

/// Third-party Python SignalR clients (PyPI: pysignalr, signalrcore) against the Swift hub.
/// Needs `Tests/PythonPeers/install.sh`; skipped without it unless `CI=true`.
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
        guard PythonPeer.isAvailable else {
            if PythonPeer.mustRun {
                Issue.record("CI=true but \(PythonPeer.python.path) is missing: run Tests/PythonPeers/install.sh")
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
