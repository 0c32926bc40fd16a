import TestSupport
import JSON

/// The demo's two orders, scripted: the manager has the orders agent create both, then the
/// delivery agent ship both, using the order ids from the results it was given.
enum DemoScript {
    typealias Route = ScriptedLLMServer.Route
    typealias Request = ScriptedLLMServer.Request

    static let orderA: JSONValue = ["items": [["product_id": "prod1", "quantity": 2], ["product_id": "prod2", "quantity": 1]],
                                    "delivery_address": "123 Main St"]
    static let orderB: JSONValue = ["items": [["product_id": "prod3", "quantity": 3]], "delivery_address": "456 Elm St"]

    static var routes: [Route] {
        [
            .agent("manager", [
                .calls([.init("orders", ["tool": "create_order", "task": "Create two orders: prod1 x2 and prod2 x1 to \"123 Main St\"; prod3 x3 to \"456 Elm St\"."])]),
                .dynamic { request in
                    let ids = Request.orderIDs(in: request.lastResultText)
                    return .calls([.init("delivery", ["tool": "update_delivery_status", "task": .string("Set orders \(ids.joined(separator: " and ")) to in_transit.")])])
                },
                .dynamic { request in
                    let ids = Request.orderIDs(in: request.toolMessages.compactMap { $0["content"]?.stringValue }.joined())
                    return .answer("Created and shipped \(ids.joined(separator: " and ")): both are in transit.")
                },
            ]),
            // Each sub-agent is done once the call the manager named has succeeded.
            .agent("orders", [.calls([.init("create_order", orderA), .init("create_order", orderB)])]),
            .agent("delivery", [
                .dynamic { request in
                    .calls(Request.orderIDs(in: request.task).map {
                        .init("update_delivery_status", ["order_id": .string($0), "status": "in_transit"])
                    })
                },
            ]),
        ]
    }

    /// `process-orders` on the demo file: one manager run per order, each having its order
    /// created and then shipped with the id from the result.
    static var perOrderRoutes: [Route] {
        let manager: [ScriptedLLMServer.Turn] = [orderA, orderB].flatMap { order -> [ScriptedLLMServer.Turn] in
            let lines = (order["items"]?.arrayValue ?? []).compactMap { item -> String? in
                guard let id = item["product_id"]?.stringValue, let quantity = item["quantity"]?.integerValue else { return nil }
                return "\(id) x\(quantity)"
            }
            let address = order["delivery_address"]?.stringValue ?? ""
            // The small profile's plan: both delegations in the first reply, run in order; the
            // delivery agent reads the order the orders agent made ("Already done: …"), and the
            // host answers once the order is in transit.
            return [
                .calls([.init("orders", ["tool": "create_order", "task": .string("Create an order of \(lines.joined(separator: " and ")) to \"\(address)\".")]),
                        .init("delivery", ["tool": "update_delivery_status", "task": "Set the order just created to in_transit."])]),
            ]
        }
        let orders: [ScriptedLLMServer.Turn] = [orderA, orderB].map { order in .calls([.init("create_order", order)]) }
        let delivery: [ScriptedLLMServer.Turn] = Array(repeating: .dynamic { request in
            .calls(Request.orderIDs(in: request.task).map {
                .init("update_delivery_status", ["order_id": .string($0), "status": "in_transit"])
            })
        }, count: 2)
        return [.agent("manager", manager), .agent("orders", orders), .agent("delivery", delivery)]
    }
}
