import Foundation

/// A setting from the environment: a variable set but empty (`MONGODB_URI= ToolServer`) counts as
/// unset, as in shells and the MongoDB tools.
func environmentSetting(_ name: String, in environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
    environment[name].flatMap { $0.isEmpty ? nil : $0 }
}
