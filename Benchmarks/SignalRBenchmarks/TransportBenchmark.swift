import Foundation
import SignalRClient
import SignalRProtocol
import SignalRServer
import SignalRServerTesting

/// Invoke round trips per second on each transport and hub protocol, against the in-repo hub
/// over loopback in the same run, with ratios against WebSockets with JSON.
///
/// Each cell connects with only that transport allowed, checks with the hub's `GetTransport`
/// that it really uses it, then measures `Echo("hello world")` invocations one at a time
/// (p50/p99 latency) and 64 in flight. Server-Sent Events carries text only, so it has no
/// MessagePack row.
enum TransportBenchmark {
    struct Cell {
        var transport: HttpTransportType
        var name: String
        var hubProtocol: any HubProtocol
    }

    struct Row {
        var name: String
        var sequential: Double
        var p50: UInt64?
        var p99: UInt64?
        var inFlight: Double
    }

    static let cells: [Cell] = [
        Cell(transport: .webSockets, name: "JSON", hubProtocol: JSONHubProtocol()),
        Cell(transport: .webSockets, name: "MessagePack", hubProtocol: MessagePackHubProtocol()),
        Cell(transport: .serverSentEvents, name: "JSON", hubProtocol: JSONHubProtocol()),
        Cell(transport: .longPolling, name: "JSON", hubProtocol: JSONHubProtocol()),
        Cell(transport: .longPolling, name: "MessagePack", hubProtocol: MessagePackHubProtocol()),
    ]

    /// Runs every cell with `total` sequential invocations (and `total` × 2 with 64 in flight).
    /// - Throws: when a connection fails or lands on another transport than the one asked for.
    static func run(total: Int) async throws {
        let server = try await SignalRTestServer.start(host: "127.0.0.1", port: 0)
        let url = await server.url(for: SignalRTestServer.testHubPath)
        // Warm the process and the server up first, so the baseline row is not the cold one.
        let warmUp = try HubConnectionBuilder().withUrl(url).build()
        try await warmUp.start()
        _ = try await ClientBenchmark.invokeSequential(warmUp, total: total)
        try await warmUp.stop()
        var rows: [Row] = []
        for cell in cells {
            let connection = try HubConnectionBuilder()
                .withUrl(url, options: HttpConnectionOptions(transports: cell.transport))
                .withHubProtocol(cell.hubProtocol)
                .build()
            try await connection.start()
            let used: String = try await connection.invoke("GetTransport")
            guard used == cell.transport.name else {
                throw BenchmarkError("asked for \(cell.transport), the hub sees \(used)")
            }
            let sequential = try await ClientBenchmark.invokeSequential(connection, total: total)
            let inFlight = try await ClientBenchmark.invokeInFlight(connection, total: total * 2, inFlight: 64)
            try await connection.stop()
            rows.append(Row(
                name: "\(used) \(cell.name)", sequential: sequential.rate,
                p50: ClientBenchmark.percentile(sequential.latencies, 50),
                p99: ClientBenchmark.percentile(sequential.latencies, 99), inFlight: inFlight))
        }
        await server.stop()
        print(table(rows, total: total))
    }

    /// The Markdown table, ratios against the first row (WebSockets JSON).
    static func table(_ rows: [Row], total: Int) -> String {
        guard let baseline = rows.first else { return "" }
        var lines = [
            "Invoke round trips per second by transport, in-repo hub over loopback, \(total) sequential "
                + "and \(total * 2) with 64 in flight, payload \"\(ClientBenchmark.payload)\"",
            "",
            "| transport, protocol | sequential | vs WS JSON | p50 µs | p99 µs | 64 in flight | vs WS JSON |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for row in rows {
            let p50 = row.p50.map(String.init) ?? ""
            let p99 = row.p99.map(String.init) ?? ""
            lines.append(
                "| \(row.name) | \(formatRate(row.sequential)) | \(String(format: "%.2fx", row.sequential / baseline.sequential)) "
                    + "| \(p50) | \(p99) | \(formatRate(row.inFlight)) | \(String(format: "%.2fx", row.inFlight / baseline.inFlight)) |")
        }
        return lines.joined(separator: "\n")
    }
}
