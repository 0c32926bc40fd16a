import Foundation
import JSON
import MCPClient
import TestSupport

/// A model that makes every call exactly right, scripted per request: the manager's delegations
/// and each sub-agent's calls, whose arguments may name ids only known at run time. Drives the
/// host under the `capable` profile to show that no policy stands between such a model and the
/// work, whatever the request's language or wording.
///
/// Placeholders in tasks and arguments: `{0}`, `{1}`: the orders placed before the run; `{new}`:
/// the newest other order id the agent has read; `{found0}`, `{found1}`: the order ids of the
/// agent's last tool result, in order.
struct IdealCase: Sendable, CustomStringConvertible {
    struct SeedOrder: Sendable {
        let items: [(String, Int)]
        let address: String
        /// The statuses it is moved through after it is placed.
        var statuses: [String] = []
    }

    /// One delegation of the manager and the sub-agent's steps (each a message of calls, given as
    /// JSON object text with placeholders).
    struct Delegation: Sendable {
        let role: String
        let tool: String
        let task: String
        let steps: [[(String, String)]]
    }

    let label: String
    var before: [SeedOrder] = []
    let request: String
    let plan: [Delegation]
    /// Stock after the run of the products that differ from `catalogue`.
    var stock: [String: Int64] = [:]
    /// Every order after the run: address, status and (when given) its lines.
    var orders: [(address: String, status: String, lines: [String: Int64]?)] = []

    var description: String { label }

    static let catalogue: [(String, String, String, Int)] = [
        ("prod1", "Laptop", "999.99", 10), ("prod2", "Smartphone", "599.99", 15), ("prod3", "Headphones", "99.99", 30),
        ("prod4", "Monitor", "249.99", 8), ("prod5", "Keyboard", "49.99", 25),
    ]

    /// The orders placed before the run, through the ToolServer; their ids.
    func placeOrders(in database: TestDatabase) async throws -> [String] {
        guard !before.isEmpty else { return [] }
        let launch = ServerLaunch(executable: TestEnvironment.toolServerPath, arguments: database.serverArguments,
                                  environment: ["LOG_LEVEL": "warning", "PATH": "/usr/bin:/bin"])
        let client = try await MCPClient.launch(launch, callTimeout: .seconds(20))
        var ids: [String] = []
        for order in before {
            let items = JSONValue.array(order.items.map { ["product_id": .string($0.0), "quantity": .int(Int64($0.1))] })
            let created = try await client.callTool("create_order", arguments: ["items": items, "delivery_address": .string(order.address)])
            guard !created.isError, let id = created.structured?["order_id"]?.stringValue else {
                throw TestFailure("seeding an order failed: \(created.text)")
            }
            for status in order.statuses {
                let moved = try await client.callTool("update_delivery_status", arguments: ["order_id": .string(id), "status": .string(status)])
                guard !moved.isError else { throw TestFailure("seeding a status failed: \(moved.text)") }
            }
            ids.append(id)
        }
        _ = await client.shutdown(grace: .seconds(2))
        return ids
    }

    /// The scripted routes: the manager delegates in turn and then answers; each sub-agent makes
    /// its steps' calls and then answers.
    func routes(seeded: [String]) -> [ScriptedLLMServer.Route] {
        var manager: [ScriptedLLMServer.Turn] = plan.map { delegation in
            .dynamic { request in
                let task = Self.resolve(delegation.task, request: request, seeded: seeded)
                return .calls([.init(delegation.role, ["tool": .string(delegation.tool), "task": .string(task)])])
            }
        }
        manager.append(.answer("Done."))
        var byRole: [String: [ScriptedLLMServer.Turn]] = [:]
        for delegation in plan {
            var turns: [ScriptedLLMServer.Turn] = delegation.steps.map { step in
                .dynamic { request in
                    .calls(step.map { name, text in
                        let resolved = Self.resolve(text, request: request, seeded: seeded)
                        return .init(name, (try? JSONParser.parse(resolved)) ?? .string(resolved))
                    })
                }
            }
            turns.append(.answer("Done."))
            byRole[delegation.role, default: []] += turns
        }
        return [.agent("manager", manager)] + byRole.map { .agent($0.key, $0.value) }
    }

    static func resolve(_ text: String, request: ScriptedLLMServer.Request, seeded: [String]) -> String {
        var out = text
        for (index, id) in seeded.enumerated() { out = out.replacingOccurrences(of: "{\(index)}", with: id) }
        if out.contains("{new}") {
            let read = request.messages.dropFirst().compactMap { $0["content"]?.stringValue }.joined(separator: "\n")
            let newest = ScriptedLLMServer.Request.orderIDs(in: read).last { !seeded.contains($0) } ?? "ord_none"
            out = out.replacingOccurrences(of: "{new}", with: newest)
        }
        let found = ScriptedLLMServer.Request.orderIDs(in: request.toolMessages.last?["content"]?.stringValue ?? "")
        for (index, id) in found.enumerated() { out = out.replacingOccurrences(of: "{found\(index)}", with: id) }
        return out
    }
}

extension TestDatabase {
    /// Each order's status, by id.
    func statuses() throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try orders().compactMap { order in
            order["_id"]?.stringValue.map { ($0, order["status"]?.stringValue ?? "") }
        })
    }
}
