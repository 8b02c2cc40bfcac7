/// Writes compact JSON text for the hub message envelope and for simple values.
enum JSONWriter {
    static func writeString(_ string: String, into buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\""))
        // Most strings need no escaping: copy them in one go.
        if string.utf8.withContiguousStorageIfAvailable({ storage in
            if !storage.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
                buffer.append(contentsOf: storage)
                return true
            }
            return false
        }) == true {
            buffer.append(UInt8(ascii: "\""))
            return
        }
        for byte in string.utf8 {
            switch byte {
            case 0x22: buffer.append(contentsOf: [0x5C, 0x22])
            case 0x5C: buffer.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: buffer.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: buffer.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: buffer.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: buffer.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: buffer.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                buffer.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: buffer.append(byte)
            }
        }
        buffer.append(UInt8(ascii: "\""))
    }

    static func writeInteger<I: BinaryInteger>(_ value: I, into buffer: inout [UInt8]) {
        buffer.append(contentsOf: String(value).utf8)
    }

    /// Writes a finite double; JSON has no NaN or infinity.
    static func writeDouble(_ value: Double, into buffer: inout [UInt8]) throws {
        guard value.isFinite else {
            throw HubProtocolError(.invalidValue, "JSON cannot represent the number \(value).")
        }
        if value == value.rounded(), abs(value) < 1e15 {
            writeInteger(Int64(value), into: &buffer)
        } else {
            buffer.append(contentsOf: value.description.utf8)
        }
    }

    static func write(_ value: JSONValue, into buffer: inout [UInt8]) {
        switch value {
        case .null: buffer.append(contentsOf: "null".utf8)
        case .bool(let bool): buffer.append(contentsOf: (bool ? "true" : "false").utf8)
        case .int(let int): writeInteger(int, into: &buffer)
        case .uint(let uint): buffer.append(contentsOf: String(uint).utf8)
        case .double(let double):
            if (try? writeDouble(double, into: &buffer)) == nil { buffer.append(contentsOf: "null".utf8) }
        case .string(let string): writeString(string, into: &buffer)
        case .array(let array):
            buffer.append(UInt8(ascii: "["))
            for (offset, element) in array.enumerated() {
                if offset > 0 { buffer.append(UInt8(ascii: ",")) }
                write(element, into: &buffer)
            }
            buffer.append(UInt8(ascii: "]"))
        case .object(let object):
            buffer.append(UInt8(ascii: "{"))
            for (offset, key) in object.keys.sorted().enumerated() {
                if offset > 0 { buffer.append(UInt8(ascii: ",")) }
                writeString(key, into: &buffer)
                buffer.append(UInt8(ascii: ":"))
                if let element = object[key] { write(element, into: &buffer) }
            }
            buffer.append(UInt8(ascii: "}"))
        }
    }

    static func writeHeaders(_ headers: [String: String], into buffer: inout [UInt8]) {
        buffer.append(contentsOf: #""headers":{"#.utf8)
        for (offset, key) in headers.keys.sorted().enumerated() {
            if offset > 0 { buffer.append(UInt8(ascii: ",")) }
            writeString(key, into: &buffer)
            buffer.append(UInt8(ascii: ":"))
            writeString(headers[key] ?? "", into: &buffer)
        }
        buffer.append(contentsOf: "},".utf8)
    }
}
