import Evaluation
import Foundation

/// Reads the scenario files: each path is a file or a directory of `*.json` files (sorted by name).
enum ScenarioFiles {
    static func load(_ paths: [String], filter: [String]) throws(EvalError) -> [Scenario] {
        var files: [(path: String, set: String)] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw EvalError("no scenario file or directory at \(path)")
            }
            if isDirectory.boolValue {
                let names: [String]
                do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
                    throw EvalError("cannot list \(path): \(error)")
                }
                let directory = URL(fileURLWithPath: path)
                files += names.filter { $0.hasSuffix(".json") }.sorted().map { (directory.appendingPathComponent($0).path, directory.lastPathComponent) }
            } else {
                files.append((path, URL(fileURLWithPath: path).deletingLastPathComponent().lastPathComponent))
            }
        }
        var scenarios: [Scenario] = []
        for (file, set) in files {
            guard let data = FileManager.default.contents(atPath: file) else { throw EvalError("cannot read \(file)") }
            var scenario: Scenario
            do { scenario = try Scenario.parse(bytes: Array(data)) } catch { throw EvalError("\(file): \(error)") }
            scenario.set = set
            if let other = scenarios.first(where: { $0.id == scenario.id }) {
                throw EvalError("\(file): the id '\(scenario.id)' is used twice (also by '\(other.title)')")
            }
            scenarios.append(scenario)
        }
        let selected = filter.isEmpty ? scenarios : scenarios.filter { scenario in filter.contains { scenario.id.contains($0) } }
        guard !selected.isEmpty else {
            throw EvalError(filter.isEmpty ? "no scenario files in \(paths.joined(separator: ", "))"
                : "no scenario id contains \(filter.map { "'\($0)'" }.joined(separator: " or "))")
        }
        return selected
    }
}
