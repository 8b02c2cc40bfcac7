import Foundation
import NIOConcurrencyHelpers
import SignalRBench

/// Many clients at once against the hub server (in its own process): server memory per
/// connection, echo throughput and dropped connections, next to a bare Hummingbird WebSocket
/// echo server under the same load in the same run; then one connection with 64 calls in
/// flight against each.
enum ServerLoadBenchmark {
    static func run(counts: [Int], seconds: Double, hold: Duration) async throws {
        let limit = raiseOpenFileLimit()
        print("Server under load: N WebSocket clients at once, held \(hold) with keep-alive traffic, then each echoing for \(seconds) s")
        print("(server in its own process; open-file limit \(limit))")
        print("")
        print("| clients | server | connected | dropped | RSS idle | RSS held | KiB per connection | echoes per second | vs baseline |")
        print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
        let load = Duration.milliseconds(Int(seconds * 1000))
        for count in counts {
            let baseline = try await measure(.echo, count: count, inFlight: 1, hold: hold, load: load)
            let hub = try await measure(.hub, count: count, inFlight: 1, hold: hold, load: load)
            for (name, result) in [("bare WebSocket echo (baseline)", baseline), ("SignalR hub, JSON invoke", hub)] {
                let perConnection = Double(result.heldKiB - result.idleKiB) / Double(max(1, result.outcome.connected))
                print("| \(count) | \(name) | \(result.outcome.connected) | \(result.outcome.dropped + result.outcome.failed) | "
                    + "\(result.idleKiB / 1024) MiB | \(result.heldKiB / 1024) MiB | " + String(format: "%.1f", perConnection)
                    + " | \(formatRate(result.rate)) | " + String(format: "%.2fx", result.rate / baseline.rate) + " |")
            }
        }
        print("")
        print("One connection, 64 calls in flight, \(seconds) s:")
        print("")
        print("| server | calls per second | vs baseline |")
        print("|---|---:|---:|")
        let single = try await measure(.echo, count: 1, inFlight: 64, hold: .zero, load: load)
        let singleHub = try await measure(.hub, count: 1, inFlight: 64, hold: .zero, load: load)
        for (name, result) in [("bare WebSocket echo (baseline)", single), ("SignalR hub, JSON invoke", singleHub)] {
            print("| \(name) | \(formatRate(result.rate)) | " + String(format: "%.2fx", result.rate / single.rate) + " |")
        }
    }

    struct Result {
        var idleKiB: Int
        var heldKiB: Int
        var outcome: ServerLoadClient.Outcome
        var rate: Double { Double(outcome.answers) / max(outcome.seconds, 0.001) }
    }

    static func measure(
        _ target: ServerLoadClient.Target, count: Int, inFlight: Int, hold: Duration, load: Duration
    ) async throws -> Result {
        let server: ChildServer
        let url: String
        switch target {
        case .echo:
            server = try await ChildServer.start(siblingExecutable("SignalRBenchmarks"), ["echo-server"])
            url = "ws://127.0.0.1:\(server.port)/echo"
        case .hub:
            server = try await ChildServer.start(siblingExecutable("signalr"), ["serve", "--port", "0"])
            url = "ws://127.0.0.1:\(server.port)/hubs/test"
        }
        defer { server.stop() }
        let idle = server.residentKiB
        let held = NIOLockedValueBox(0)
        let client = ServerLoadClient(target: target, url: url, count: count, inFlight: inFlight, hold: hold, load: load)
        let outcome = await client.run { held.withLockedValue { $0 = server.residentKiB } }
        return Result(idleKiB: idle, heldKiB: held.withLockedValue { $0 }, outcome: outcome)
    }
}
