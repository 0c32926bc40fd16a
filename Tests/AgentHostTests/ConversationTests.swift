import Agents
import Testing

/// What a chat's manager is told of the earlier turns.
@Suite struct ConversationTests {
    @Test func theNewestTurnsWholeOlderOnesCondensedTheOldestCounted() throws {
        var conversation = Conversation()
        #expect(conversation.context(budget: 1000) == nil)
        conversation.add(.init(request: "What is low in stock?", answer: "prod1 and prod4.\nFound: list_products: …"))
        conversation.add(.init(request: "Restock those to 20.", answer: "Done.\nChanges: update_stock prod1 stock 20; update_stock prod4 stock 20."))
        #expect(conversation.context(budget: 1000) == """
            Earlier in this conversation:
            1. User: What is low in stock?
               Answer: prod1 and prod4.
               Found: list_products: …
            2. User: Restock those to 20.
               Answer: Done.
               Changes: update_stock prod1 stock 20; update_stock prod4 stock 20.
            """)
        for index in 3...6 {
            conversation.add(.init(request: "Order \(index) Laptops for \(index) Elm St " + String(repeating: "and more words ", count: 20),
                                   answer: "Ordered.\nChanges: create_order ord_\(index)aaaaaa pending."))
        }
        let context = try #require(conversation.context(budget: 700))
        #expect(context.count <= 700 + 120)
        // The newest whole; older ones their request (cut at a word, marked) and changes; the rest counted.
        #expect(context.hasSuffix("   Changes: create_order ord_6aaaaaa pending."))
        #expect(context.contains(" … — Changes: create_order ord_5aaaaaa pending."))
        #expect(context.hasPrefix("Earlier in this conversation (the first "))
        #expect(!context.contains("1. User: What is low in stock?"))

        conversation.forget()
        #expect(conversation.context(budget: 1000) == nil)
    }
}
