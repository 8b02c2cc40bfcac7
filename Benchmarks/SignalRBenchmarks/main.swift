import Foundation

/// `swift run -c release SignalRBenchmarks [protocol|client|client-process|stream|transports|server-load|leak-check] [N]`: prints Markdown tables.
let arguments = CommandLine.arguments.dropFirst()
let which = arguments.first ?? "protocol"
switch which {
case "protocol":
    try ProtocolBenchmark.run()
case "server-load":
    // [--hold SECONDS] N...
    let rest = Array(arguments.dropFirst())
    let holdIndex = rest.firstIndex(of: "--hold")
    let hold = holdIndex.flatMap { rest.indices.contains($0 + 1) ? Int(rest[$0 + 1]) : nil } ?? 0
    let counts = rest.enumerated().filter { item in holdIndex.map { item.offset != $0 + 1 } ?? true }.compactMap { Int($0.element) }
    try await ServerLoadBenchmark.run(counts: counts.isEmpty ? [100, 1000] : counts, seconds: 3, hold: .seconds(hold))
case "echo-server":
    // The baseline server of server-load, in its own process.
    let server = try await EchoServer.start()
    FileHandle.standardOutput.write(Data("echo server on 127.0.0.1:\(server.port)\n".utf8))
    while true { try await Task.sleep(for: .seconds(3600)) }
case "stream":
    let total = arguments.dropFirst().first.flatMap { Int($0) } ?? 20000
    try await StreamBenchmark.run(total: total)
case "client":
    let total = arguments.dropFirst().first.flatMap { Int($0) } ?? 5000
    try await ClientBenchmark.run(total: total)
case "client-process":
    let numbers = arguments.dropFirst().compactMap { Int($0) }
    try await ProcessBenchmark.run(calls: numbers.first ?? 5000, rounds: numbers.dropFirst().first ?? 3)
case "client-worker":
    // One client of client-process, in its own process: KIND PORT CALLS.
    let rest = Array(arguments.dropFirst())
    guard rest.count == 3, let port = Int(rest[1]), let calls = Int(rest[2]) else {
        FileHandle.standardError.write(Data("usage: client-worker echo|json|messagepack PORT CALLS\n".utf8))
        exit(2)
    }
    try await ClientWorker.run(kind: rest[0], port: port, calls: calls)
case "leak-check":
    // CYCLES RECONNECT-CYCLES [--settle SECONDS] [--json]
    let rest = Array(arguments.dropFirst())
    let settleIndex = rest.firstIndex(of: "--settle")
    let settle = settleIndex.flatMap { rest.indices.contains($0 + 1) ? Int(rest[$0 + 1]) : nil } ?? 0
    let numbers = rest.enumerated().filter { item in settleIndex.map { item.offset != $0 + 1 } ?? true }.compactMap { Int($0.element) }
    try await LeakCheck.run(
        cycles: numbers.first ?? 1000, reconnectCycles: numbers.dropFirst().first ?? 200, settle: settle,
        json: rest.contains("--json")
    )
case "transports":
    let total = arguments.dropFirst().first.flatMap { Int($0) } ?? 2000
    try await TransportBenchmark.run(total: total)
default:
    FileHandle.standardError.write(Data("unknown benchmark '\(which)'; try: protocol, client, client-process, stream, transports, server-load, leak-check\n".utf8))
    exit(2)
}
