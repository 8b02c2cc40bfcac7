extension JSONScanner {
    /// Reads an integer token (no fraction or exponent) that fits in `Int64`.
    mutating func readInt64() throws -> Int64 {
        let range = try skipNumber()
        var value: Int64 = 0
        var negative = false
        for byte in bytes[range] {
            switch byte {
            case UInt8(ascii: "-"): negative = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let digit = Int64(byte - UInt8(ascii: "0"))
                let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (next, overflow2) = negative
                    ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
                if overflow1 || overflow2 { throw HubProtocolError(.invalidFieldType, "Integer out of range.") }
                value = next
            default:
                throw HubProtocolError(.invalidFieldType, "Expected an integer, got a number with a fraction.")
            }
        }
        return value
    }

    mutating func readBool() throws -> Bool {
        skipWhitespace()
        if consumeLiteral("true") { return true }
        if consumeLiteral("false") { return false }
        throw HubProtocolError(.invalidFieldType, "Expected a boolean at offset \(offset).")
    }

    /// Skips one complete value and returns its byte range (without surrounding whitespace).
    mutating func skipValue() throws -> Range<Int> {
        try skipValue(depth: 0)
    }

    private mutating func skipValue(depth: Int) throws -> Range<Int> {
        let first = try peek()
        let start = index
        switch first {
        case UInt8(ascii: "\""):
            try skipString()
        case UInt8(ascii: "{"):
            guard depth < maxDepth else { throw Self.depthError }
            index += 1
            if try !consume(UInt8(ascii: "}")) {
                repeat {
                    guard try peek() == UInt8(ascii: "\"") else { throw Self.error("Expected a property name at offset \(offset).") }
                    try skipString()
                    try expect(UInt8(ascii: ":"))
                    _ = try skipValue(depth: depth + 1)
                } while try consume(UInt8(ascii: ","))
                try expect(UInt8(ascii: "}"))
            }
        case UInt8(ascii: "["):
            guard depth < maxDepth else { throw Self.depthError }
            index += 1
            if try !consume(UInt8(ascii: "]")) {
                repeat { _ = try skipValue(depth: depth + 1) } while try consume(UInt8(ascii: ","))
                try expect(UInt8(ascii: "]"))
            }
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            guard consumeLiteral("true") || consumeLiteral("false") || consumeLiteral("null") else {
                throw Self.error("Invalid JSON literal at offset \(offset).")
            }
        default:
            _ = try skipNumber()
        }
        return start..<index
    }

    static var depthError: HubProtocolError {
        HubProtocolError(.depthLimitExceeded, "The JSON value is nested too deeply.")
    }

    private mutating func skipString() throws {
        index += 1
        while index < bytes.endIndex {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\"") { return }
            if byte == UInt8(ascii: "\\") { index += 1 }
        }
        throw Self.error("Unterminated JSON string.")
    }

    /// Skips a number token, checking the JSON number grammar.
    mutating func skipNumber() throws -> Range<Int> {
        skipWhitespace()
        let start = index
        func digits() -> Int {
            let digitStart = index
            while index < bytes.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - digitStart
        }
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let intDigits = digits()
        guard intDigits > 0 else { throw Self.error("Invalid JSON value at offset \(offset).") }
        if intDigits > 1, bytes[index - intDigits] == UInt8(ascii: "0") {
            throw Self.error("Invalid leading zero in JSON number at offset \(offset).")
        }
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw Self.error("Invalid JSON number at offset \(offset).") }
        }
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw Self.error("Invalid JSON number at offset \(offset).") }
        }
        return start..<index
    }

    /// Reads any value as a ``JSONValue``.
    mutating func readValue() throws -> JSONValue {
        try readValue(depth: 0)
    }

    private mutating func readValue(depth: Int) throws -> JSONValue {
        switch try peek() {
        case UInt8(ascii: "\""):
            return .string(try readString())
        case UInt8(ascii: "{"):
            guard depth < maxDepth else { throw Self.depthError }
            index += 1
            var object: [String: JSONValue] = [:]
            if try !consume(UInt8(ascii: "}")) {
                repeat {
                    let key = try readString()
                    try expect(UInt8(ascii: ":"))
                    object[key] = try readValue(depth: depth + 1)
                } while try consume(UInt8(ascii: ","))
                try expect(UInt8(ascii: "}"))
            }
            return .object(object)
        case UInt8(ascii: "["):
            guard depth < maxDepth else { throw Self.depthError }
            index += 1
            var array: [JSONValue] = []
            if try !consume(UInt8(ascii: "]")) {
                repeat { array.append(try readValue(depth: depth + 1)) } while try consume(UInt8(ascii: ","))
                try expect(UInt8(ascii: "]"))
            }
            return .array(array)
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            return .bool(try readBool())
        case UInt8(ascii: "n"):
            guard consumeLiteral("null") else { throw Self.error("Invalid JSON literal at offset \(offset).") }
            return .null
        default:
            let range = try skipNumber()
            let token = bytes[range]
            if !token.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
                var copy = JSONScanner(token)
                if let integer = try? copy.readInt64() { return .int(integer) }
                // Beyond Int64.max: exact up to UInt64.max.
                if let unsigned = UInt64(String(decoding: token, as: UTF8.self)) { return .uint(unsigned) }
            }
            guard let double = Double(String(decoding: token, as: UTF8.self)) else {
                throw Self.error("Invalid JSON number at offset \(offset).")
            }
            return .double(double)
        }
    }

    /// Checks that only whitespace remains.
    mutating func expectEnd() throws {
        skipWhitespace()
        guard isAtEnd else { throw Self.error("Unexpected data after the JSON value at offset \(offset).") }
    }
}
