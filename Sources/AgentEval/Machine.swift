import Foundation

/// What EVAL.md says about where and how it ran.
enum Machine {
    /// `2 cores, AMD EPYC 7763 64-Core Processor, 8 GB RAM, Linux 6.1.0`.
    static var description: String {
        let info = ProcessInfo.processInfo
        let memory = Double(info.physicalMemory) / 1_073_741_824
        return "\(info.activeProcessorCount) cores, \(cpuModel), \(String(format: "%.0f", memory)) GB RAM, \(info.operatingSystemVersionString)"
    }

    /// The first `model name` of /proc/cpuinfo, else "unknown CPU".
    static var cpuModel: String {
        guard let data = FileManager.default.contents(atPath: "/proc/cpuinfo") else { return "unknown CPU" }
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return "unknown CPU"
    }

    /// Now, in UTC: `2026-03-05 14:02 UTC`.
    static var date: String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter.string(from: Date())
    }

    /// This process's command line, quoted for a POSIX shell.
    static var commandLine: String {
        CommandLine.arguments.map { argument in
            let plain = !argument.isEmpty && argument.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_./=:,@%+".contains($0)) }
            return plain ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }
}
