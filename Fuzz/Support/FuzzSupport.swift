// Shared by every fuzz target (compiled into each target's module).

/// Stops the run with a finding: libFuzzer saves the input that got here.
func finding(_ message: String) -> Never {
    fatalError("FINDING: \(message)")
}

/// Splits `bytes` into chunks at points drawn from a generator seeded by the input itself, so a
/// saved input replays the same splits.
func randomChunks(_ bytes: [UInt8]) -> [[UInt8]] {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    for byte in bytes.prefix(16) { state = (state ^ UInt64(byte)) &* 0x100_0000_01B3 }
    var chunks: [[UInt8]] = []
    var index = 0
    while index < bytes.count {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        let length = 1 + Int(state % 17)
        let end = min(bytes.count, index + length)
        chunks.append(Array(bytes[index..<end]))
        index = end
    }
    return chunks
}
