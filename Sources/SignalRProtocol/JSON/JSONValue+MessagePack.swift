import Foundation

extension JSONValue {
    /// The JSON shape of a MessagePack value (see ``JSONValue`` for what has no JSON form).
    public init(messagePack value: MessagePackValue) {
        switch value {
        case .nil: self = .null
        case .bool(let bool): self = .bool(bool)
        case .int(let int): self = .int(int)
        case .uint(let uint): self = Int64(exactly: uint).map(JSONValue.int) ?? .uint(uint)
        case .float(let float): self = .double(Double(float))
        case .double(let double): self = .double(double)
        case .string(let string): self = .string(string)
        case .binary(let bytes): self = .string(Data(bytes).base64EncodedString())
        case .array(let items): self = .array(items.map(JSONValue.init(messagePack:)))
        case .map(let pairs):
            var object: [String: JSONValue] = [:]
            for pair in pairs {
                let key: String
                if case .string(let text) = pair.key {
                    key = text
                } else {
                    key = JSONValue(messagePack: pair.key).jsonString
                }
                object[key] = JSONValue(messagePack: pair.value)
            }
            self = .object(object)
        case .timestamp(let seconds, let nanoseconds):
            self = .string(Self.iso8601(seconds: seconds, nanoseconds: nanoseconds))
        case .ext(_, let data): self = .string(Data(data).base64EncodedString())
        }
    }

    /// `seconds` since 1970 plus `nanoseconds` as ISO 8601 in UTC, with as many fractional
    /// digits as needed (none when `nanoseconds` is zero). Calendar arithmetic rather than a
    /// formatter: the 96-bit timestamp reaches far beyond the years formatters handle.
    static func iso8601(seconds: Int64, nanoseconds: UInt32) -> String {
        // Floor division, so instants before 1970 land on the right day.
        let (days, secondOfDay) = seconds.quotientAndRemainder(dividingBy: 86_400)
        let (day, second) = secondOfDay < 0 ? (days - 1, secondOfDay + 86_400) : (days, secondOfDay)
        let (year, month, dayOfMonth) = DotNetDateCoding.civil(fromDays: day)
        var text = year < 0 ? "-" : ""
        text += pad(year.magnitude, 4) + "-" + pad(UInt64(month), 2) + "-" + pad(UInt64(dayOfMonth), 2)
        text += "T" + pad(UInt64(second / 3600), 2) + ":" + pad(UInt64(second % 3600 / 60), 2) + ":" + pad(UInt64(second % 60), 2)
        if nanoseconds > 0 {
            var fraction = pad(UInt64(nanoseconds), 9)
            while fraction.last == "0" { fraction.removeLast() }
            text += "." + fraction
        }
        return text + "Z"
    }

    private static func pad(_ value: UInt64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
