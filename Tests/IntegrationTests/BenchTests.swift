import Foundation
@testable import SignalRBench
import SignalRClient
import SignalRProtocol
import SignalRServer
import SignalRTestSupport
import Testing

/// `signalr bench`'s load generator against the in-repo hub and aiosignalr: every scenario
/// runs, the counts add up, and nothing fails.
@Suite(.serialized, .timeLimit(.minutes(2))) struct BenchTests {
    static func run(
        _ url: String, _ scenario: BenchScenario, connections: Int, seconds: Double, transports: HttpTransportType = .webSockets,
        configure: (inout BenchConfiguration) -> Void = { _ in }
    ) async throws -> BenchReport {
        var configuration = BenchConfiguration()
        configuration.scenario = scenario
        configuration.connections = connections
        configuration.rampRate = 500
        configuration.duration = .seconds(seconds)
        configure(&configuration)
        try configuration.validate()
        let run = BenchRun(configuration: configuration) {
            try HubConnectionBuilder().withUrl(url, transports: transports).build()
        }
        return try await withTimeout(.seconds(60), "the bench run") { await run.run() }
    }

    /// The check: 50 connections for 2 s, every call the report counts as ok is one
    /// the hub answered, and no connection fails.
    @Test func echoCountsMatchTheHubsCount() async throws {
        try await withServer { server in
            let url = await server.testHubURL
            let report = try await Self.run(url, .echo, connections: 50, seconds: 2) { $0.inFlight = 2 }
            #expect(report.connectionsEstablished == 50)
            #expect(report.connectionFailures.isEmpty)
            #expect(report.connectionsLost == 0)
            #expect(report.callFailures.isEmpty)
            #expect(report.callsOK > 0)
            #expect(!report.interrupted)
            let checker = try HubConnectionBuilder().withUrl(url).build()
            try await checker.start()
            let counted: Int = try await checker.invoke("EchoCalls")
            try await checker.stop()
            #expect(counted == report.callsOK)
            // The percentiles come out in order.
            let latency = try #require(report.latency)
            #expect(latency.p50 <= latency.p90 && latency.p90 <= latency.p99 && latency.p99 <= latency.p999 && latency.p999 <= latency.max)
        }
    }

    @Test func connectHoldsTheConnectionsForTheDuration() async throws {
        try await withServer { server in
            let report = try await Self.run(await server.testHubURL, .connect, connections: 20, seconds: 1)
            #expect(report.connectionsEstablished == 20)
            #expect(report.connectionFailures.isEmpty)
            #expect(report.seconds >= 1)
            #expect(report.callsOK == 0)
            // The hub saw them all, and they are gone once the run is over.
            #expect(await server.counters.handshakesCompleted == 20)
            try await withTimeout(.seconds(10), "the connections to close") {
                await server.waitForCounters { $0.openConnections == 0 }
            }
        }
    }

    @Test func everyConnectionReceivesEveryBroadcast() async throws {
        try await withServer { server in
            let report = try await Self.run(await server.testHubURL, .broadcast, connections: 10, seconds: 1.5) { $0.rate = 20 }
            #expect(report.connectionsEstablished == 10)
            #expect(report.broadcastsSent > 0)
            #expect(report.callFailures.isEmpty)
            #expect(report.callsOK == report.broadcastsSent * 10)
        }
    }

    @Test func streamsCompleteWithAllTheirItems() async throws {
        try await withServer { server in
            let report = try await Self.run(await server.testHubURL, .stream, connections: 5, seconds: 1) {
                $0.arguments = [.int(50), .int(0)]
            }
            #expect(report.connectionsEstablished == 5)
            #expect(report.callFailures.isEmpty)
            #expect(report.callsOK > 0)
            // Only completed streams count, each with its 50 items.
            #expect(report.items == report.callsOK * 50)
        }
    }

    /// More HTTP-transport connections than AsyncHTTPClient's default of 8 per host: each holds
    /// a poll or a stream open, and every one still connects and answers.
    @Test(arguments: [HttpTransportType.longPolling, .serverSentEvents])
    func manyHTTPTransportConnectionsToOneHost(transport: HttpTransportType) async throws {
        try await withServer { server in
            let report = try await Self.run(await server.testHubURL, .echo, connections: 12, seconds: 1.5, transports: transport)
            #expect(report.connectionsEstablished == 12)
            #expect(report.connectionFailures.isEmpty)
            #expect(report.callFailures.isEmpty)
            #expect(report.callsOK >= 12)
        }
    }

    @Test func cancellingTheRunReportsWhatItMeasured() async throws {
        try await withServer { server in
            let url = await server.testHubURL
            let recorder = EventRecorder<Int>()
            var configuration = BenchConfiguration()
            configuration.connections = 3
            configuration.duration = .seconds(60)
            var run = BenchRun(configuration: configuration) { try HubConnectionBuilder().withUrl(url).build() }
            run.onProgress = { recorder.record($0.connected) }
            let task = Task { await run.run() }
            // A progress sample every second; cancel once all three are connected.
            try await withTimeout(.seconds(20), "three connections") {
                while (try await recorder.next(1).first ?? 0) < 3 {}
            }
            task.cancel()
            let report = try await withTimeout(.seconds(20), "the partial report") { await task.value }
            #expect(report.interrupted)
            #expect(report.seconds < 60)
            #expect(report.connectionsEstablished == 3)
            #expect(report.callsOK > 0)
            try await withTimeout(.seconds(10), "the connections to close") {
                await server.waitForCounters { $0.openConnections == 0 }
            }
        }
    }

    @Test func everyScenarioRunsAgainstAiosignalr() async throws {
        guard let (peer, portTask) = try await AiosignalrTests.startHub() else { return }
        defer { peer.stop() }
        let url = "http://127.0.0.1:\(try await portTask.value)/hubs/test"
        let connect = try await Self.run(url, .connect, connections: 5, seconds: 0.5)
        #expect(connect.connectionsEstablished == 5 && connect.connectionFailures.isEmpty)
        let echo = try await Self.run(url, .echo, connections: 5, seconds: 1)
        #expect(echo.connectionsEstablished == 5 && echo.callFailures.isEmpty && echo.callsOK > 0)
        let broadcast = try await Self.run(url, .broadcast, connections: 5, seconds: 1) { $0.rate = 20 }
        #expect(broadcast.callFailures.isEmpty && broadcast.broadcastsSent > 0)
        #expect(broadcast.callsOK == broadcast.broadcastsSent * 5)
        let stream = try await Self.run(url, .stream, connections: 3, seconds: 1) { $0.arguments = [.int(20), .int(0)] }
        #expect(stream.callFailures.isEmpty && stream.callsOK > 0 && stream.items == stream.callsOK * 20)
    }

    @Test func theReportReadsAsTextAndAsJSON() throws {
        var configuration = BenchConfiguration()
        configuration.connections = 0
        #expect(throws: BenchError.self) { try configuration.validate() }
        let report = BenchReport(
            scenario: .echo, method: "Echo", interrupted: false, seconds: 2, loadSeconds: 2, connectionsRequested: 2, connectionsAttempted: 2,
            connectionsEstablished: 1, connectionFailures: ["refused": 1], reconnects: 0, connectionsLost: 0, callsOK: 10,
            callFailures: [:], items: 0, broadcastsSent: 0, callsPerSecond: 5,
            latency: .init(p50: 1, p90: 2, p99: 3, p999: 4, max: 5), cpuSeconds: 0.5, cpuPercent: 25, residentMiB: 40,
            residentKiBPerConnection: 30, openFileLimit: 1024
        )
        #expect(report.text.contains("Connections: 1 established of 2 (2 attempted), 1 failed"))
        #expect(report.text.contains("  1 × refused"))
        #expect(report.text.contains("Calls: 10 ok, 0 failed, 5.00 calls/s"))
        #expect(report.text.contains("p50 1.00  p90 2.00  p99 3.00  p99.9 4.00  max 5.00"))
        #expect(report.text.hasPrefix("Ran 2.00 s (2.00 s of load after the ramp): scenario echo, method Echo\n"))
        var connect = report
        connect.scenario = .connect
        // The connect scenario calls nothing, so its report names no method.
        #expect(connect.text.hasPrefix("Ran 2.00 s (2.00 s of load after the ramp): scenario connect\n"))
        let decoded = try JSONDecoder().decode(BenchReport.self, from: Data(report.json.utf8))
        #expect(decoded.callsOK == 10 && decoded.connectionFailures == ["refused": 1])
    }
}
