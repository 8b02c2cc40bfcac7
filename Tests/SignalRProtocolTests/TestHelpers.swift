import SignalRProtocol

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

func hex(_ text: String) -> [UInt8] {
    text.split(separator: " ").compactMap { UInt8($0.hasPrefix("0x") ? $0.dropFirst(2) : $0, radix: 16) }
}

extension HubProtocol {
    /// Parses input that must hold exactly the given number of whole messages.
    func parseAll(_ input: [UInt8]) throws -> [HubMessage] {
        let (messages, consumed) = try parseMessages(input[...])
        precondition(consumed == input.count, "input left over")
        return messages
    }

    func roundTrip(_ message: HubMessage) throws -> HubMessage? {
        try parseAll(try writeMessage(message)).first
    }
}

/// A deterministic generator so fuzz failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
