import Foundation

/// Who may call: the `Origin` check that stops DNS rebinding (a web page of another site making
/// the user's browser call this server) and the bearer token.
struct AccessPolicy: Sendable {
    let allowedOrigins: Set<String>
    let token: [UInt8]?

    init(settings: HTTPSettings) {
        allowedOrigins = Set(settings.allowedOrigins.map { $0.lowercased() })
        token = settings.token.map { Array($0.utf8) }
    }

    /// No `Origin` (not a browser), a loopback page, or one of the configured origins.
    func permits(origin: String?) -> Bool {
        guard let origin else { return true }
        let lowered = origin.lowercased()
        if allowedOrigins.contains(lowered) { return true }
        guard let url = URLComponents(string: lowered), url.scheme == "http" || url.scheme == "https",
              url.user == nil, url.password == nil, let host = url.host else { return false }
        return host == "localhost" || host == "127.0.0.1" || host == "::1" || host == "[::1]"
    }

    /// True when no token is configured, or `authorization` is `Bearer <the token>`.
    func permits(authorization: String?) -> Bool {
        guard let token else { return true }
        guard let authorization, authorization.count > 7, authorization.prefix(7).lowercased() == "bearer " else {
            return false
        }
        return Self.constantTimeEquals(Array(authorization.utf8.dropFirst(7)), token)
    }

    /// Compares in a time that depends on the expected token's length only, so that timing does
    /// not tell an attacker how many leading bytes of a guess were right.
    static func constantTimeEquals(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference: UInt8 = given.count == expected.count ? 0 : 1
        for index in expected.indices {
            difference |= expected[index] ^ (index < given.count ? given[index] : 0)
        }
        return difference == 0
    }
}
