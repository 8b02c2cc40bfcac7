import Foundation

/// `swift run -c release SignalRBenchmarks [protocol|…]`: prints Markdown tables.
let arguments = CommandLine.arguments.dropFirst()
let which = arguments.first ?? "protocol"
switch which {
case "protocol":
    try ProtocolBenchmark.run()
default:
    FileHandle.standardError.write(Data("unknown benchmark '\(which)'; try: protocol\n".utf8))
    exit(2)
}
