/// A payload for trace logs: its first 256 bytes as escaped UTF-8 text (hex when not UTF-8).
struct PayloadPreview: CustomStringConvertible, Sendable {
    static let limit = 256
    let bytes: ArraySlice<UInt8>
    let truncated: Bool

    init(_ bytes: [UInt8]) {
        self.bytes = bytes.prefix(Self.limit)
        self.truncated = bytes.count > Self.limit
    }

    var description: String {
        let text: String
        let decoded = String(decoding: bytes, as: UTF8.self)
        if decoded.utf8.elementsEqual(bytes) {
            text = String(decoded.debugDescription.dropFirst().dropLast())
        } else {
            text = bytes.map { String($0, radix: 16) }.joined(separator: " ")
        }
        return truncated ? text + "…" : text
    }
}
