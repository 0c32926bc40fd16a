/// A setting as given: from its flag, else from its environment variable (empty counts as not
/// set), with where it came from, which an error about its value names.
public struct GivenSetting: Sendable {
    public let value: String
    /// "--approve" or "AGENT_APPROVE".
    public let source: String

    /// Nil when neither the flag nor the variable gives it.
    public init?(flag value: String?, named flag: String, variable: String, environment: [String: String]) {
        if let value {
            (self.value, source) = (value, flag)
        } else if let value = environment[variable], !value.isEmpty {
            (self.value, source) = (value, variable)
        } else {
            return nil
        }
    }
}
