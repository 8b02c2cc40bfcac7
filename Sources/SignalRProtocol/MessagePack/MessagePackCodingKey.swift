/// The coding keys MessagePackEncoder and MessagePackDecoder make up themselves:
/// array positions in coding paths and the `super` key.
struct MessagePackCodingKey: CodingKey {
    // Small enough to sit inline in an `any CodingKey`, so array positions cost no allocation.
    private enum Storage {
        case name(String)
        case index(Int)
    }

    private let storage: Storage

    // Array positions are named on demand: coding paths are only read for errors.
    var stringValue: String {
        switch storage {
        case .name(let name): return name
        case .index(let index): return "Index \(index)"
        }
    }

    var intValue: Int? {
        if case .index(let index) = storage { return index }
        return nil
    }

    init(stringValue: String) {
        storage = .name(stringValue)
    }

    init(intValue: Int) {
        storage = .index(intValue)
    }

    /// The key of an array element.
    init(index: Int) {
        storage = .index(index)
    }

    /// The key `superEncoder()` and `superDecoder()` use.
    static let superKey = MessagePackCodingKey(stringValue: "super")
}
