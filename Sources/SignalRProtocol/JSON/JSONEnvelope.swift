/// The fields of one JSON hub message, read in one pass.
///
/// Values stay as byte ranges of the record; ``makeMessage()`` checks that the
/// message type has every field it needs, with the texts ASP.NET Core uses.
struct JSONEnvelope {
    var type: Int64?
    var invocationId: String?
    var target: String?
    var arguments: [HubValue]?
    var streamIds: [String]?
    var headers: [String: String] = [:]
    var item: HubValue?
    var result: HubValue?
    var error: String?
    var allowReconnect = false
    var sequenceId: Int64?

    static func parse(_ record: ArraySlice<UInt8>) throws -> JSONEnvelope {
        var scanner = JSONScanner(record)
        var envelope = JSONEnvelope()
        try scanner.expect(UInt8(ascii: "{"))
        if try !scanner.consume(UInt8(ascii: "}")) {
            repeat {
                let key = try scanner.readString()
                try scanner.expect(UInt8(ascii: ":"))
                try envelope.readField(key, &scanner)
            } while try scanner.consume(UInt8(ascii: ","))
            try scanner.expect(UInt8(ascii: "}"))
        }
        try scanner.expectEnd()
        return envelope
    }

    private mutating func readField(_ key: String, _ scanner: inout JSONScanner) throws {
        do {
            switch key {
            case "type": type = try scanner.readInt64()
            case "invocationId": invocationId = try scanner.readOptionalString()
            case "target": target = try scanner.readString()
            case "error": error = try scanner.readOptionalString()
            case "allowReconnect": allowReconnect = try scanner.readBool()
            case "sequenceId": sequenceId = try scanner.readInt64()
            case "item": item = .rawJSON(scanner.bytes[try scanner.skipValue()])
            case "result": result = .rawJSON(scanner.bytes[try scanner.skipValue()])
            case "arguments":
                var values: [HubValue] = []
                try scanner.expect(UInt8(ascii: "["))
                if try !scanner.consume(UInt8(ascii: "]")) {
                    repeat { values.append(.rawJSON(scanner.bytes[try scanner.skipValue()])) }
                    while try scanner.consume(UInt8(ascii: ","))
                    try scanner.expect(UInt8(ascii: "]"))
                }
                arguments = values
            case "streamIds":
                var ids: [String] = []
                try scanner.expect(UInt8(ascii: "["))
                if try !scanner.consume(UInt8(ascii: "]")) {
                    repeat { ids.append(try scanner.readString()) } while try scanner.consume(UInt8(ascii: ","))
                    try scanner.expect(UInt8(ascii: "]"))
                }
                streamIds = ids
            case "headers":
                try scanner.expect(UInt8(ascii: "{"))
                if try !scanner.consume(UInt8(ascii: "}")) {
                    repeat {
                        let name = try scanner.readString()
                        try scanner.expect(UInt8(ascii: ":"))
                        headers[name] = try scanner.readString()
                    } while try scanner.consume(UInt8(ascii: ","))
                    try scanner.expect(UInt8(ascii: "}"))
                }
            default:
                // ASP.NET Core skips properties it does not know; so do we.
                _ = try scanner.skipValue()
            }
        } catch let error as HubProtocolError where error.code == .invalidJSON {
            throw HubProtocolError(.invalidFieldType, "Invalid value for property '\(key)': \(error.message)")
        }
    }

    private func required<T>(_ value: T?, _ name: String) throws -> T {
        guard let value else { throw HubProtocolError(.missingField, "Missing required property '\(name)'.") }
        return value
    }

    /// Builds the message; nil for an unknown message type (ignored, as the spec requires).
    mutating func makeMessage() throws -> HubMessage? {
        let typeNumber = try required(type, "type")
        guard let messageType = HubMessageType(rawValue: Int(truncatingIfNeeded: typeNumber)) else { return nil }
        switch messageType {
        case .invocation:
            return .invocation(
                InvocationMessage(
                    invocationId: invocationId, target: try required(target, "target"),
                    arguments: try required(arguments, "arguments"), streamIds: streamIds ?? [], headers: headers))
        case .streamInvocation:
            return .streamInvocation(
                StreamInvocationMessage(
                    invocationId: try required(invocationId, "invocationId"), target: try required(target, "target"),
                    arguments: try required(arguments, "arguments"), streamIds: streamIds ?? [], headers: headers))
        case .streamItem:
            return .streamItem(
                StreamItemMessage(
                    invocationId: try required(invocationId, "invocationId"), item: try required(item, "item"),
                    headers: headers))
        case .completion:
            let id = try required(invocationId, "invocationId")
            if error != nil, result != nil {
                throw HubProtocolError(.invalidFieldType, "The 'error' and 'result' properties are mutually exclusive.")
            }
            let outcome: CompletionResult = error.map { .error($0) } ?? result.map { .value($0) } ?? .void
            return .completion(CompletionMessage(invocationId: id, result: outcome, headers: headers))
        case .cancelInvocation:
            return .cancelInvocation(
                CancelInvocationMessage(invocationId: try required(invocationId, "invocationId"), headers: headers))
        case .ping:
            return .ping
        case .close:
            return .close(CloseMessage(error: error, allowReconnect: allowReconnect))
        case .ack:
            return .ack(AckMessage(sequenceId: try required(sequenceId, "sequenceId")))
        case .sequence:
            return .sequence(SequenceMessage(sequenceId: try required(sequenceId, "sequenceId")))
        }
    }
}
