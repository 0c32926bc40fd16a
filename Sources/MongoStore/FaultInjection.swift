import Foundation

/// Crash and pause points inside `create_order` and a cancelling `update_delivery_status`, for the
/// tests that kill the server mid-write and check that recovery restores every invariant.
///
/// Compiled into debug builds only: a release binary ignores `TOOLSERVER_FAULTS` entirely, so no
/// environment left behind on a production machine can make it crash.
///
///     TOOLSERVER_FAULTS=create_order.after_line.1=crash,cancel.before_commit=pause:1500
///
/// `crash` kills the process with SIGKILL (no clean-up, no flush: as a power cut would);
/// `pause:MS` sleeps that long at the point (a slow process, for lease tests). protocol.md's
/// developer notes list the points.
enum FaultInjection {
    enum Action: Equatable {
        case crash
        case pause(milliseconds: UInt32)
    }

    #if DEBUG
    static let plan: [String: Action] = parse(ProcessInfo.processInfo.environment["TOOLSERVER_FAULTS"] ?? "")

    static func parse(_ text: String) -> [String: Action] {
        var plan: [String: Action] = [:]
        for entry in text.split(separator: ",") {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            if parts[1] == "crash" {
                plan[parts[0]] = .crash
            } else if parts[1].hasPrefix("pause:"), let ms = UInt32(parts[1].dropFirst("pause:".count)) {
                plan[parts[0]] = .pause(milliseconds: ms)
            }
        }
        return plan
    }

    /// Marks a point; does what `TOOLSERVER_FAULTS` asks for it, if anything.
    static func point(_ name: @autoclosure () -> String) {
        guard !plan.isEmpty else { return }
        let name = name()
        switch plan[name] {
        case .crash?:
            FileHandle.standardError.write(Data("level=error event=fault.crash point=\(name)\n".utf8))
            kill(getpid(), SIGKILL)
        case .pause(let ms)?:
            FileHandle.standardError.write(Data("level=warning event=fault.pause point=\(name) ms=\(ms)\n".utf8))
            usleep(ms * 1000)
        case nil:
            break
        }
    }
    #else
    @inline(__always) static func point(_ name: @autoclosure () -> String) {}
    #endif
}
