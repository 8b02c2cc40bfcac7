import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOWebSocket
import ServiceLifecycle
import WSClient

/// The baseline of the client benchmarks: a bare WebSocket echo on the same stacks the
/// SignalR path uses (a Hummingbird WebSocket server and swift-websocket's `WebSocketClient`),
/// without any SignalR framing, negotiate or dispatch.
struct EchoServer {
    let port: Int
    private let task: Task<Void, Never>
    private let group: ServiceGroup

    static func start() async throws -> EchoServer {
        let router = Router(context: BasicRequestContext.self)
        let logger = Logger(label: "echo", factory: { _ in SwiftLogNoOpLogHandler() })
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: router,
            server: .http1WebSocketUpgrade(configuration: .init()) { _, _, _ in
                .upgrade([:]) { inbound, outbound, _ in
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        switch message {
                        case .text(let text): try await outbound.write(.text(text))
                        case .binary(let buffer): try await outbound.write(.binary(buffer))
                        }
                    }
                }
            },
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: nil),
            onServerRunning: { channel in portSink.yield(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [application], gracefulShutdownSignals: [], logger: logger))
        let task = Task {
            do { try await group.run() } catch {}
        }
        var port = 0
        for await value in ports {
            port = value
            break
        }
        return EchoServer(port: port, task: task, group: group)
    }

    private init(port: Int, task: Task<Void, Never>, group: ServiceGroup) {
        self.port = port
        self.task = task
        self.group = group
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        await task.value
    }
}

enum EchoBaseline {
    /// Round trips per second of `total` echoes with `inFlight` frames outstanding, plus
    /// per-round-trip latencies (µs) when `inFlight` is 1.
    static func run(port: Int, total: Int, inFlight: Int, payload: String) async throws -> (rate: Double, latencies: [UInt64]) {
        let logger = Logger(label: "echo-client", factory: { _ in SwiftLogNoOpLogHandler() })
        let result = ResultBox()
        _ = try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/echo", logger: logger) { inbound, outbound, _ in
            let clock = ContinuousClock()
            var latencies: [UInt64] = []
            latencies.reserveCapacity(inFlight == 1 ? total : 0)
            var sent = 0
            var received = 0
            var sendTimes: [ContinuousClock.Instant] = []
            let start = clock.now
            for _ in 0..<min(inFlight, total) {
                sendTimes.append(clock.now)
                try await outbound.write(.text(payload))
                sent += 1
            }
            for try await _ in inbound.messages(maxSize: 1 << 20) {
                received += 1
                if inFlight == 1, let sentAt = sendTimes.last {
                    latencies.append(UInt64((clock.now - sentAt).microseconds))
                }
                if received == total { break }
                if sent < total {
                    if inFlight == 1 { sendTimes = [clock.now] }
                    try await outbound.write(.text(payload))
                    sent += 1
                }
            }
            result.set(rate: Double(total) / (clock.now - start).seconds, latencies: latencies)
            try await outbound.close(.normalClosure, reason: nil)
        }
        return result.get()
    }
}

/// Carries the result out of the scoped WebSocket closure.
final class ResultBox: Sendable {
    private let storage = NIOLockedValueBox<(Double, [UInt64])>((0, []))
    func set(rate: Double, latencies: [UInt64]) { storage.withLockedValue { $0 = (rate, latencies) } }
    func get() -> (rate: Double, latencies: [UInt64]) {
        let (rate, latencies) = storage.withLockedValue { $0 }
        return (rate, latencies)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var microseconds: Double { seconds * 1e6 }
}
