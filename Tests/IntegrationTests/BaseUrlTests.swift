import Foundation
import SignalRClient
import SignalRServer
import SignalRTestSupport
import Testing

/// `baseUrl` as the official client has it: readable, changeable only while disconnected or
/// reconnecting (from `onClose` too), checked, and used by the next start or reconnect attempt.
@Suite(.timeLimit(.minutes(1))) struct BaseUrlTests {
    @Test func itReadsTheBuiltURLAndRefusesChangesWhileConnected() async throws {
        try await withServer { server in
            let url = await server.testHubURL
            let connection = try await connect(url)
            #expect(await connection.baseUrl == url)
            let error = await #expect(throws: SignalRError.self) { try await connection.setBaseUrl("http://127.0.0.1:1/hub") }
            #expect(error?.message == "The HubConnection must be in the Disconnected or Reconnecting state to change the url.")
            #expect(await connection.baseUrl == url)
            try await connection.stop()
        }
    }

    @Test(arguments: ["", "not a url", "ftp://host/hub", "/hubs/test"])
    func anEmptyOrInvalidURLIsRefused(url: String) async throws {
        let connection = try HubConnectionBuilder().withUrl("http://127.0.0.1:1/hub").build()
        let error = await #expect(throws: SignalRError.self) { try await connection.setBaseUrl(url) }
        #expect(error?.message == "The HubConnection url must be a valid url.")
        #expect(await connection.baseUrl == "http://127.0.0.1:1/hub")
    }

    @Test func aURLSetInOnCloseIsUsedByTheNextStart() async throws {
        try await withServer { first in
            try await withServer { second in
                let secondURL = await second.testHubURL
                let connection = try await connect(await first.testHubURL)
                let changed = EventRecorder<String>()
                await connection.onClose { _ in
                    do {
                        try await connection.setBaseUrl(secondURL)
                        changed.record("changed")
                    } catch {
                        changed.record("\(error)")
                    }
                }
                try await connection.stop()
                #expect(try await changed.first() == "changed")
                #expect(await connection.baseUrl == secondURL)
                try await withTimeout { try await connection.start() }
                #expect(await second.counters.handshakesCompleted == 1)
                #expect(try await connection.invoke("Add", 2, 3, returning: Int.self) == 5)
                try await connection.stop()
            }
        }
    }

    @Test func aURLSetWhileReconnectingIsUsedByTheNextAttempt() async throws {
        try await withServer { first in
            try await withServer { second in
                let secondURL = await second.testHubURL
                let connection = try await connect(await first.testHubURL) {
                    $0.withAutomaticReconnect([.milliseconds(50), .milliseconds(50), .milliseconds(50)])
                }
                let changes = EventRecorder<String>()
                await connection.onReconnecting { _ in
                    do {
                        try await connection.setBaseUrl(secondURL)
                        changes.record("changed")
                    } catch {
                        changes.record("\(error)")
                    }
                }
                await connection.onReconnected { _ in changes.record("reconnected") }
                let id = try #require(await connection.connectionId)
                #expect(await first.drop(connectionId: id))
                #expect(try await changes.next(2) == ["changed", "reconnected"])
                #expect(await second.counters.handshakesCompleted == 1)
                #expect(try await connection.invoke("Add", 2, 3, returning: Int.self) == 5)
                try await connection.stop()
            }
        }
    }
}
