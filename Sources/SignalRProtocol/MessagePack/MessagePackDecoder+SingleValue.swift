struct MessagePackSingleValueDecodingContainer: SingleValueDecodingContainer {
    let context: MessagePackDecodingContext
    let offset: Int
    let codingPath: [any CodingKey]

    private var reader: MessagePackReader { context.reader(at: offset) }

    func decodeNil() -> Bool {
        (try? reader.peekFormatByte()) == 0xc0
    }

    func decode(_ type: Bool.Type) throws -> Bool {
        var reader = reader
        do { return try context.decodeBool(from: &reader) } catch { throw MessagePackNativeFailure.decodingError(error, type, codingPath) }
    }

    func decode(_ type: String.Type) throws -> String {
        var reader = reader
        do { return try context.decodeString(from: &reader) } catch { throw MessagePackNativeFailure.decodingError(error, type, codingPath) }
    }

    func decode(_ type: Double.Type) throws -> Double {
        var reader = reader
        do { return try context.decodeDouble(from: &reader) } catch { throw MessagePackNativeFailure.decodingError(error, type, codingPath) }
    }

    func decode(_ type: Float.Type) throws -> Float {
        var reader = reader
        do { return try context.decodeFloat(from: &reader) } catch { throw MessagePackNativeFailure.decodingError(error, type, codingPath) }
    }

    func decode(_ type: Int.Type) throws -> Int {
        var reader = reader
        do { return try context.decodeInteger(type, from: &reader) } catch { throw MessagePackNativeFailure.decodingError(error, type, codingPath) }
    }

    func decode(_ type: Int8.Type) throws -> Int8 {
        var reader = reader
        do { return try context.decodeInteger(type, from: &reader) } catch { throw MessagePackNativeFailure.decodingError(error, type, codingPath) }
    }

    func decode(_ type: Int16.Type) throws -> Int16 {
        var reader = reader
        do { return try context.decodeInteger(type, from: &reader) } catch { throw MessagePackNativeFailure.decodingError(error, type, codingPath) }
    }

    func decode(_ type: Int32.Type) throws -> Int32 {
        var reader = reader
        do { return try context.decodeInteger(type, from: &reader) } catch { throw MessagePackNativeFailure.decodingError(error, type, codingPath) }
    }

    func decode(_ type: Int64.Type) throws -> Int64 {
        var reader = reader
        do { return try context.decodeInteger(type, from: &reader) } catch { throw MessagePackNativeFailure.decodingError(error, type, codingPath) }
    }

    func decode(_ type: UInt.Type) throws -> UInt {
        var reader = reader
        do { return try context.decodeInteger(type, from: &reader) } catch { throw MessagePackNativeFailure.decodingError(error, type, codingPath) }
    }

    func decode(_ type: UInt8.Type) throws -> UInt8 {
        var reader = reader
        do { return try context.decodeInteger(type, from: &reader) } catch { throw MessagePackNativeFailure.decodingError(error, type, codingPath) }
    }

    func decode(_ type: UInt16.Type) throws -> UInt16 {
        var reader = reader
        do { return try context.decodeInteger(type, from: &reader) } catch { throw MessagePackNativeFailure.decodingError(error, type, codingPath) }
    }

    func decode(_ type: UInt32.Type) throws -> UInt32 {
        var reader = reader
        do { return try context.decodeInteger(type, from: &reader) } catch { throw MessagePackNativeFailure.decodingError(error, type, codingPath) }
    }

    func decode(_ type: UInt64.Type) throws -> UInt64 {
        var reader = reader
        do { return try context.decodeInteger(type, from: &reader) } catch { throw MessagePackNativeFailure.decodingError(error, type, codingPath) }
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        var reader = reader
        return try context.decode(T.self, from: &reader, path: { codingPath }, advance: false)
    }
}
