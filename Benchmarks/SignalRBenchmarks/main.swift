import Foundation

/// `swift run -c release SignalRBenchmarks [protocol|…]`: prints Markdown tables.
let arguments = CommandLine.arguments.dropFirst()
let which = arguments.first ?? "protocol"
switch which {
case "protocol":
    try ProtocolBenchmark.run()
case "client":
    let total = arguments.dropFirst().first.flatMap { Int($0) } ?? 5000
    try await ClientBenchmark.run(total: total)
default:
    FileHandle.standardError.write(Data("unknown benchmark '\(which)'; try: protocol, client\n".utf8))
    exit(2)
}
