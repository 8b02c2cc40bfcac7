/// The URL rules of the official client's `HttpConnection` (`_resolveNegotiateUrl`, `_createConnectUrl`).
enum NegotiateURL {
    /// The negotiate endpoint for `hubURL`: `/negotiate` goes onto the path, the query stays,
    /// and `negotiateVersion=1` is appended unless the query already has that key;
    /// `useStatefulReconnect=true` is appended when asked for, unless the query has that key.
    ///
    /// `http://h/endpoint?q=a/b` and `http://h/endpoint/?q=a/b` both give
    /// `http://h/endpoint/negotiate?q=a/b&negotiateVersion=1`.
    static func negotiate(_ hubURL: String, version: Int = 1, useStatefulReconnect: Bool = false) -> String {
        let (base, query) = split(hubURL)
        var url = base
        if !url.hasSuffix("/") { url += "/" }
        url += "negotiate"
        if let query { url += "?" + query }
        if !hasQueryKey("negotiateVersion", in: query) {
            url += (query == nil ? "?" : "&") + "negotiateVersion=\(version)"
        }
        if useStatefulReconnect, !hasQueryKey("useStatefulReconnect", in: query) { url += "&useStatefulReconnect=true" }
        return url
    }

    /// Whether `hubURL`'s query holds `useStatefulReconnect=true`: the official client then asks
    /// for stateful reconnect as if the option were set.
    static func asksForStatefulReconnect(_ hubURL: String) -> Bool {
        guard let query = split(hubURL).1 else { return false }
        return query.split(separator: "&").contains { $0 == "useStatefulReconnect=true" }
    }

    /// The transport URL: `url` plus `id=<token>` (the query kept), or `url` itself without a token.
    static func connect(_ url: String, connectionToken: String?) -> String {
        guard let connectionToken else { return url }
        let separator = url.contains("?") ? "&" : "?"
        return url + separator + "id=" + percentEncodeQueryValue(connectionToken)
    }

    /// Whether `url` is an absolute `http` or `https` URL with a host.
    static func isAbsoluteHTTP(_ url: String) -> Bool {
        let lower = url.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") {
            rest = url.dropFirst(8)
        } else if lower.hasPrefix("http://") {
            rest = url.dropFirst(7)
        } else {
            return false
        }
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return !host.isEmpty && !host.contains(" ")
    }

    private static func split(_ url: String) -> (String, String?) {
        guard let mark = url.firstIndex(of: "?") else { return (url, nil) }
        return (String(url[..<mark]), String(url[url.index(after: mark)...]))
    }

    private static func hasQueryKey(_ key: String, in query: String?) -> Bool {
        guard let query else { return false }
        return query.split(separator: "&").contains { item in
            item.split(separator: "=", maxSplits: 1).first.map(String.init) == key
        }
    }

    /// Encodes everything but RFC 3986 unreserved characters.
    static func percentEncodeQueryValue(_ value: String) -> String {
        var result = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                result.unicodeScalars.append("%")
                result.unicodeScalars.append(hex[Int(byte >> 4)])
                result.unicodeScalars.append(hex[Int(byte & 0x0F)])
            }
        }
        return result
    }
}
