import JSON
import OrderDomain
import Testing

@Suite("Catalogue")
struct CatalogueTests {
    @Test func demoCatalogue() {
        let demo = Catalogue.demo
        #expect(demo.map(\.id.rawValue) == ["prod1", "prod2", "prod3", "prod4", "prod5"])
        #expect(demo.map(\.name) == ["Laptop", "Smartphone", "Headphones", "Monitor", "Keyboard"])
        #expect(demo.map(\.stock) == [10, 15, 30, 8, 25])
        #expect(demo.map(\.price.description) == ["999.99", "599.99", "99.99", "249.99", "49.99"])
    }

    @Test func parsesAnArray() throws {
        let products = try Catalogue.parse(try JSONParser.parse(#"""
            [{"product_id":"p1","name":"Laptop","price":999.99,"stock":10},
             {"_id":"p2","name":"Cable","price":"5.5","stock":0},
             {"product_id":"p3","name":"Gift","price":0,"stock":2.0}]
            """#))
        #expect(products == [
            Product(id: try pid("p1"), name: "Laptop", price: Money(minorUnits: 99_999), stock: 10),
            Product(id: try pid("p2"), name: "Cable", price: Money(minorUnits: 550), stock: 0),
            Product(id: try pid("p3"), name: "Gift", price: .zero, stock: 2),
        ])
    }

    @Test func parsesAnObjectWithProducts() throws {
        let products = try Catalogue.parse(try JSONParser.parse(
            #"{"products":[{"product_id":"p1","name":"N","price":1,"stock":1000000000}]}"#))
        #expect(products.map(\.stock) == [1_000_000_000])
        #expect(products.map(\.price.minorUnits) == [100])
    }

    @Test func anEmptyListIsAnEmptyCatalogue() throws {
        #expect(try Catalogue.parse([]).isEmpty)
    }

    @Test("bad seed files", arguments: [
        (#"{"items":[]}"#, #"expected a JSON array of products, or {"products": [...]}"#),
        (#""prod1""#, #"expected a JSON array of products, or {"products": [...]}"#),
        (#"[1]"#, "products[0]: must be an object"),
        (#"[{"name":"N","price":1,"stock":1}]"#, "products[0]: product_id is missing"),
        (#"[{"product_id":5,"name":"N","price":1,"stock":1}]"#, "products[0]: product_id must be a string"),
        (#"[{"product_id":"p$1","name":"N","price":1,"stock":1}]"#,
         "products[0]: product_id 'p$1' must be 1-64 characters from A-Z a-z 0-9 . _ : -"),
        (#"[{"product_id":"p1","name":"N","price":1,"stock":1},{"product_id":"p1","name":"M","price":1,"stock":1}]"#,
         "products[1]: product_id 'p1' appears twice"),
        (#"[{"product_id":"p1","price":1,"stock":1}]"#, "products[0]: name must be a string of 1-200 characters"),
        (#"[{"product_id":"p1","name":"","price":1,"stock":1}]"#, "products[0]: name must be a string of 1-200 characters"),
        (#"[{"product_id":"p1","name":"N","stock":1}]"#,
         "products[0]: price must be an amount from 0 to 1000000.00 with at most 2 decimals, e.g. 999.99"),
        (#"[{"product_id":"p1","name":"N","price":-1,"stock":1}]"#,
         "products[0]: price must be an amount from 0 to 1000000.00 with at most 2 decimals, e.g. 999.99"),
        (#"[{"product_id":"p1","name":"N","price":1.999,"stock":1}]"#,
         "products[0]: price must be an amount from 0 to 1000000.00 with at most 2 decimals, e.g. 999.99"),
        (#"[{"product_id":"p1","name":"N","price":1000000.01,"stock":1}]"#,
         "products[0]: price must be an amount from 0 to 1000000.00 with at most 2 decimals, e.g. 999.99"),
        (#"[{"product_id":"p1","name":"N","price":"cheap","stock":1}]"#,
         "products[0]: price must be an amount from 0 to 1000000.00 with at most 2 decimals, e.g. 999.99"),
        (#"[{"product_id":"p1","name":"N","price":1}]"#, "products[0]: stock must be an integer from 0 to 1000000000"),
        (#"[{"product_id":"p1","name":"N","price":1,"stock":-1}]"#, "products[0]: stock must be an integer from 0 to 1000000000"),
        (#"[{"product_id":"p1","name":"N","price":1,"stock":1000000001}]"#,
         "products[0]: stock must be an integer from 0 to 1000000000"),
        (#"[{"product_id":"p1","name":"N","price":1,"stock":2.5}]"#, "products[0]: stock must be an integer from 0 to 1000000000"),
        (#"[{"product_id":"p1","name":"N","price":1,"stock":"3"}]"#, "products[0]: stock must be an integer from 0 to 1000000000"),
    ])
    func badSeedFiles(json: String, description: String) throws {
        let value = try JSONParser.parse(json)
        let error = #expect(throws: Catalogue.ParseError.self) { try Catalogue.parse(value) }
        #expect(error?.description == description)
    }

    @Test func namesAreLimitedTo200Characters() throws {
        let ok = try JSONParser.parse("[{\"product_id\":\"p\",\"name\":\"\(String(repeating: "n", count: 200))\",\"price\":1,\"stock\":1}]")
        #expect(try Catalogue.parse(ok).first?.name.count == 200)
        let long = try JSONParser.parse("[{\"product_id\":\"p\",\"name\":\"\(String(repeating: "n", count: 201))\",\"price\":1,\"stock\":1}]")
        #expect(throws: Catalogue.ParseError.self) { try Catalogue.parse(long) }
    }
}
