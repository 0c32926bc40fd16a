import Foundation

/// When and how long to wait before trying a failed call again: exponential backoff with jitter,
/// or the server's `Retry-After` when it sends one. A `Retry-After` longer than `maxDelay` is not
/// cut short: the call fails instead.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    public var baseDelay: Duration
    /// The longest wait between two attempts.
    public var maxDelay: Duration

    public init(maxAttempts: Int = 4, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(30)) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// The wait before attempt `attempt + 1` (attempt counts from 1), or `.tooLong` when the
    /// server's `Retry-After` asks for more than `maxDelay`.
    func delay(after attempt: Int, retryAfter: String?) -> Wait {
        if let retryAfter, let seconds = Self.seconds(fromRetryAfter: retryAfter) {
            let wait = Duration.milliseconds(Int64((min(seconds, 1e9) * 1000).rounded(.up)))
            return wait > maxDelay ? .tooLong(seconds: seconds) : .after(wait)
        }
        let exponential = baseDelay * (1 << min(attempt - 1, 16))
        let jitter = Double.random(in: 0.8...1.2)
        return .after(min(exponential * jitter, maxDelay))
    }

    enum Wait: Equatable {
        case after(Duration)
        /// `Retry-After` asked for this many seconds, more than `maxDelay`.
        case tooLong(seconds: Double)
    }

    /// `Retry-After` as seconds or an HTTP date.
    static func seconds(fromRetryAfter value: String) -> Double? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(text), seconds.isFinite { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: text) else { return nil }
        return max(0, date.timeIntervalSinceNow)
    }
}
