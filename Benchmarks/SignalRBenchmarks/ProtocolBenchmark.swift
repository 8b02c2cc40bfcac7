import Foundation
import SignalRProtocol

/// Encode and decode throughput of a typical Invocation with two string arguments
/// (`SendMessage("ana", "hello world")`), next to Foundation's JSONEncoder/JSONDecoder
/// on the same payload as the baseline.
enum ProtocolBenchmark {
    /// The same message as a Codable envelope, for the Foundation baseline.
    struct Envelope: Codable {
        var type: Int
        var invocationId: String
        var target: String
        var arguments: [String]
    }

    static func run() throws {
        let message = HubMessage.invocation(
            InvocationMessage(invocationId: "42", target: "SendMessage", arguments: [HubValue("ana"), HubValue("hello world")]))
        let envelope = Envelope(type: 1, invocationId: "42", target: "SendMessage", arguments: ["ana", "hello world"])
        let json = JSONHubProtocol()
        let msgpack = MessagePackHubProtocol()
        let foundationEncoder = JSONEncoder()
        let foundationDecoder = JSONDecoder()

        var sink = 0
        let baselineEncode = try measure {
            var data = try foundationEncoder.encode(envelope)
            data.append(0x1E)
            sink &+= data.count
        }
        let baselineBytes = Array(try foundationEncoder.encode(envelope)) + [0x1E]
        let baselineDecode = try measure {
            guard let end = baselineBytes.firstIndex(of: 0x1E) else { return }
            let decoded = try foundationDecoder.decode(Envelope.self, from: Data(baselineBytes[..<end]))
            sink &+= decoded.arguments[1].utf8.count
        }

        func ours(_ hubProtocol: any HubProtocol) throws -> (encode: Double, decode: Double, size: Int) {
            let frame = try hubProtocol.writeMessage(message)
            var buffer: [UInt8] = []
            buffer.reserveCapacity(128)
            let encode = try measure {
                buffer.removeAll(keepingCapacity: true)
                try hubProtocol.writeMessage(message, into: &buffer)
                sink &+= buffer.count
            }
            let decode = try measure {
                let (messages, _) = try hubProtocol.parseMessages(frame[...])
                guard case .invocation(let invocation) = messages.first else { return }
                let user = try hubProtocol.decode(String.self, from: invocation.arguments[0])
                let text = try hubProtocol.decode(String.self, from: invocation.arguments[1])
                sink &+= user.utf8.count &+ text.utf8.count
            }
            return (encode, decode, frame.count)
        }
        let jsonRates = try ours(json)
        let msgpackRates = try ours(msgpack)

        print("Hub protocol: Invocation SendMessage(\"ana\", \"hello world\"), messages per second (single core)")
        print("")
        print("| codec | bytes | encode | decode | encode vs baseline | decode vs baseline |")
        print("|---|---:|---:|---:|---:|---:|")
        print("| Foundation JSONEncoder/JSONDecoder (baseline) | \(baselineBytes.count) | \(formatRate(baselineEncode)) | \(formatRate(baselineDecode)) | 1.00x | 1.00x |")
        for (name, rates) in [("SignalRProtocol JSON", jsonRates), ("SignalRProtocol MessagePack", msgpackRates)] {
            print(
                "| \(name) | \(rates.size) | \(formatRate(rates.encode)) | \(formatRate(rates.decode)) | "
                    + String(format: "%.2fx | %.2fx |", rates.encode / baselineEncode, rates.decode / baselineDecode))
        }
        if sink == 42 { print("") }  // keeps the work observable to the optimiser
    }
}
