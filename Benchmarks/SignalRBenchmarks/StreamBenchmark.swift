import Foundation
import SignalRClient
import SignalRProtocol
import SignalRServer
import SignalRServerTesting

/// Stream throughput against the in-repo hub: server-to-client items per second
/// (`Counter(n, 0)`) and upload items per second (`UploadSum` of an `UploadStream`), next to
/// the bare WebSocket echo with every frame in flight, measured in the same run.
enum StreamBenchmark {
    static func run(total: Int) async throws {
        let echo = try await EchoServer.start()
        let baseline = try await EchoBaseline.run(port: echo.port, total: total, inFlight: total, payload: "12345")
        await echo.stop()
        let server = try await SignalRTestServer.start(host: "127.0.0.1", port: 0)
        let url = await server.url(for: SignalRTestServer.testHubPath)
        var rows: [(String, Double)] = [("bare WebSocket echo, all in flight (baseline)", baseline.rate)]
        for (name, hubProtocol) in [("JSON", JSONHubProtocol() as any HubProtocol), ("MessagePack", MessagePackHubProtocol())] {
            let connection = try HubConnectionBuilder().withUrl(url).withHubProtocol(hubProtocol).build()
            try await connection.start()
            let clock = ContinuousClock()
            var start = clock.now
            var received = 0
            for try await _ in connection.stream("Counter", total, 0, as: Int.self) { received += 1 }
            rows.append(("\(name) stream, server to client", Double(received) / (clock.now - start).seconds))
            start = clock.now
            let (numbers, input) = AsyncStream.makeStream(of: Int.self, bufferingPolicy: .unbounded)
            for number in 0..<total { input.yield(number % 100) }
            input.finish()
            let _: Int = try await connection.invoke("UploadSum", UploadStream(numbers))
            rows.append(("\(name) upload, client to server", Double(total) / (clock.now - start).seconds))
            try await connection.stop()
        }
        await server.stop()
        print("Streams over loopback: items per second, \(total) items each")
        print("")
        print("| scenario | items per second | vs baseline |")
        print("|---|---:|---:|")
        for (name, rate) in rows {
            print("| \(name) | \(formatRate(rate)) | \(String(format: "%.2fx", rate / baseline.rate)) |")
        }
    }
}
