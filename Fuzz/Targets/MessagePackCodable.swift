import Foundation
import SignalRProtocol

/// The MessagePack Codable decoder, into a few representative types chosen by the first byte:
/// decodes or throws `MessagePackError`/`DecodingError`; what decodes encodes and decodes back
/// to an equal value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMessagePackCodable(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let selector = bytes.first else { return 0 }
    let body = Array(bytes.dropFirst())
    switch selector % 7 {
    case 0: roundTrip(Person.self, body)
    case 1: roundTrip([String: Int].self, body)
    case 2: roundTrip([Int64?].self, body)
    case 3: roundTrip(JSONValue.self, body)
    case 4: roundTrip(Data.self, body)
    case 5: roundTrip(Stamp.self, body)
    default: roundTrip([UInt64].self, body)
    }
    return 0
}

struct Person: Codable, Equatable {
    var name: String
    var age: Int
    var tags: [String]?
    var score: Double?
}

/// A date and a decimal; equality allows the timestamp's rounding.
struct Stamp: Codable, Equatable {
    var at: Date
    var amount: Decimal?

    static func == (lhs: Stamp, rhs: Stamp) -> Bool {
        abs(lhs.at.timeIntervalSince1970 - rhs.at.timeIntervalSince1970) <= max(1e-6, abs(lhs.at.timeIntervalSince1970) * 1e-15)
            && lhs.amount == rhs.amount
    }
}

func roundTrip<T: Codable & Equatable>(_ type: T.Type, _ bytes: [UInt8]) {
    let value: T
    do {
        value = try MessagePackDecoder().decode(T.self, from: bytes)
    } catch {
        switch error {
        case is MessagePackError, is DecodingError: return
        default: finding("untyped error \(Swift.type(of: error)): \(error)")
        }
    }
    let written: [UInt8]
    do {
        written = try MessagePackEncoder().encode(value)
    } catch {
        guard error is EncodingError || error is MessagePackError else { finding("untyped encoding error \(error)") }
        return
    }
    guard let again = try? MessagePackDecoder().decode(T.self, from: written) else {
        finding("an encoded \(T.self) does not decode")
    }
    if again != value, !containsNaN(value) { finding("\(T.self) changed in a round trip: \(value) → \(again)") }
}

/// NaN is never equal to itself, so values holding one cannot be compared.
func containsNaN(_ value: Any) -> Bool {
    if let double = value as? Double { return double.isNaN }
    if let person = value as? Person { return person.score?.isNaN ?? false }
    if let json = value as? JSONValue { return json.jsonString.contains("null") }
    return false
}
