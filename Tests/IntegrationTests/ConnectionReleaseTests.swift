import Foundation
import SignalRClient
import SignalRServer
import SignalRTestSupport
import Testing

/// A stopped connection that its owner lets go is freed: nothing it started (tasks, transports,
/// handlers) keeps it alive, on any transport, after a drop and reconnect too.
@Suite(.timeLimit(.minutes(1))) struct ConnectionReleaseTests {
    final class WeakBox: @unchecked Sendable {
        // Safe: written once before the test reads it, on the test's task only.
        weak var connection: HubConnection?
    }

    @Test(arguments: TransportCase.all)
    func aStoppedConnectionIsFreed(cell: TransportCase) async throws {
        try await withServer(configuration: TransportCase.serverConfiguration) { server in
            let box = WeakBox()
            do {
                let connection = try await cell.connect(await server.testHubURL) { $0.withAutomaticReconnect([.zero]) }
                await connection.on("Echoed") { (_: String) in }
                await connection.onClose { _ in }
                _ = try await connection.invoke("Add", 1, 2, returning: Int.self)
                try await connection.stop()
                box.connection = connection
            }
            // The last tasks of the connection may still be returning: wait for the release, bounded.
            try await withTimeout(.seconds(10), "the connection to be freed") {
                while box.connection != nil { try await Task.sleep(for: .milliseconds(5)) }
            }
        }
    }
}
