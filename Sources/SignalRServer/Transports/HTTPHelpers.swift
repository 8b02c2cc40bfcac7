import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore

/// Small pieces shared by the HTTP endpoints.
enum HTTPHelpers {
    /// The request's headers (names lowercased, repeats joined) and percent-decoded query.
    static func transportRequest(headers: HTTPFields, uri: URI) -> TransportRequest {
        var headerMap: [String: String] = [:]
        for field in headers {
            let name = field.name.canonicalName.lowercased()
            if let existing = headerMap[name] {
                headerMap[name] = existing + ", " + field.value
            } else {
                headerMap[name] = field.value
            }
        }
        var query: [String: String] = [:]
        for (key, value) in uri.queryParameters { query[String(key)] = String(value) }
        return TransportRequest(headers: headerMap, query: query)
    }

    /// The value of query parameter `name`, matched case-insensitively (as ASP.NET Core does).
    static func queryValue(_ name: String, in query: [String: String]) -> String? {
        if let exact = query[name] { return exact }
        let lowered = name.lowercased()
        return query.first { $0.key.lowercased() == lowered }?.value
    }

    /// A response with a `text/plain` body (ASP.NET Core's error texts).
    static func text(_ status: HTTPResponse.Status, _ body: String = "", headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "text/plain"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    /// A response with an `application/json` body.
    static func json(_ body: [UInt8]) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The no-cache headers ASP.NET Core puts on polls.
    static var noCacheHeaders: HTTPFields {
        var fields: HTTPFields = [.cacheControl: "no-cache, no-store", .expires: "Thu, 01 Jan 1970 00:00:00 GMT"]
        if let pragma = HTTPField.Name("Pragma") { fields[pragma] = "no-cache" }
        return fields
    }

    /// Appends `text` as a JSON string literal.
    static func writeJSONString(_ text: String, into buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": buffer.append(contentsOf: Array(#"\""#.utf8))
            case "\\": buffer.append(contentsOf: Array(#"\\"#.utf8))
            case "\n": buffer.append(contentsOf: Array(#"\n"#.utf8))
            case "\r": buffer.append(contentsOf: Array(#"\r"#.utf8))
            case "\t": buffer.append(contentsOf: Array(#"\t"#.utf8))
            case _ where scalar.value < 0x20:
                let hex = Array("0123456789abcdef".utf8)
                buffer.append(contentsOf: Array(#"\u00"#.utf8))
                buffer.append(hex[Int(scalar.value >> 4)])
                buffer.append(hex[Int(scalar.value & 0xF)])
            default:
                buffer.append(contentsOf: Array(String(scalar).utf8))
            }
        }
        buffer.append(UInt8(ascii: "\""))
    }
}
