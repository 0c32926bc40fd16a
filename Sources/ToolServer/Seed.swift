import ArgumentParser
import Foundation
import JSON
import OrderDomain

struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load products into the catalogue (insert or replace by product id).",
        discussion: """
            FILE is a JSON array of {"product_id", "name", "price", "stock"}, prices as decimal amounts \
            (999.99). --demo loads the demo catalogue: prod1 Laptop (10), prod2 Smartphone (15), \
            prod3 Headphones (30), prod4 Monitor (8), prod5 Keyboard (25).
            """)

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "Load the demo catalogue.")
    var demo = false

    @Argument(help: ArgumentHelp("JSON file with products.", valueName: "file"))
    var file: String?

    func validate() throws {
        guard demo != (file != nil) else { throw ValidationError("give either a FILE or --demo") }
    }

    func run() async throws {
        let products: [Product]
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read '\(file)'")
            }
            do {
                products = try Catalogue.parse(try JSONParser.parse(Array(data)))
            } catch let error as JSONParseError {
                throw ValidationError("'\(file)' is not valid JSON: \(error)")
            } catch {
                throw ValidationError("'\(file)': \(error)")
            }
        } else {
            products = Catalogue.demo
        }
        let logger = database.makeLogger()
        let store = try database.makeStore(logger: logger)
        do {
            let report = try await store.upsert(products)
            print("seeded \(products.count) products into \(database.resolvedDatabase).products: "
                  + "\(report.inserted) inserted, \(report.updated) updated")
        } catch {
            FileHandle.standardError.write(Data("ToolServer seed: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// Prints the tool list as `tools/list` returns it, for documentation and client set-up.
struct Tools: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the tools and their schemas as JSON.")

    func run() async throws {
        let store = try DatabaseOptions.parse([]).makeStore(logger: .init(level: .off))
        let tools = ToolCatalog(store: store).all.map { tool -> JSONValue in
            ["name": .string(tool.name), "title": .string(tool.title), "description": .string(tool.description),
             "inputSchema": tool.inputSchema, "outputSchema": tool.outputSchema]
        }
        print(JSONWriter.string(["tools": .array(tools)]))
    }
}
