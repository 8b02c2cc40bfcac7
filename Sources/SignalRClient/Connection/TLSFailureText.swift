import NIOSSL

/// Readable texts for TLS failures, whose raw descriptions are BoringSSL error stacks.
enum TLSFailureText {
    /// How to say what `error` is, for the error messages of negotiate and the transports.
    /// A failed certificate check says so and names the option that fixes it.
    static func describe(_ error: any Error) -> String {
        guard let sslError = error as? NIOSSLError else {
            if let extra = error as? NIOSSLExtraError { return "TLS failed: \(extra)" }
            return "\(error)"
        }
        let detail = "\(sslError)"
        if detail.contains("CERTIFICATE_VERIFY_FAILED") {
            return "TLS handshake failed: the server's certificate could not be verified (CERTIFICATE_VERIFY_FAILED). "
                + "To trust a private CA, set HttpConnectionOptions.tlsConfiguration. (\(detail))"
        }
        return "TLS handshake failed: \(detail)"
    }
}
