/// The demo's sample REST API: a tiny pet store, served by ``DemoBackend`` and described by ``document``.
enum DemoAPI {
    /// The name the demo API and its MCP server get.
    static let name = "demo"
    /// The document's `info.title`, which marks an API as the demo's.
    static let title = "Gatehouse demo pet store"
    /// The file name the document is written under, next to the database.
    static let fileName = "gatehouse-demo-openapi.yaml"

    /// The OpenAPI 3.0 document (no `servers`: the base URL is the backend's loopback URL, set at import).
    static let document = """
        openapi: 3.0.3
        info:
          title: \(title)
          version: "1.0"
          description: A small sample API served by Gatehouse itself on loopback, so the gateway can be tried at once.
        paths:
          /pets:
            get:
              operationId: listPets
              summary: List the pets
              parameters:
                - name: limit
                  in: query
                  description: The most pets to return.
                  schema: {type: integer, minimum: 1, maximum: 100}
              responses:
                "200":
                  description: The pets.
                  content:
                    application/json:
                      schema: {type: array, items: {$ref: "#/components/schemas/Pet"}}
            post:
              operationId: createPet
              summary: Add a pet
              requestBody:
                required: true
                content:
                  application/json:
                    schema: {$ref: "#/components/schemas/NewPet"}
              responses:
                "201":
                  description: The new pet.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/Pet"}
          /pets/{petId}:
            parameters:
              - name: petId
                in: path
                required: true
                description: The pet's id.
                schema: {type: integer}
            get:
              operationId: getPet
              summary: Get a pet by id
              responses:
                "200":
                  description: The pet.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/Pet"}
                "404":
                  description: No such pet.
            delete:
              operationId: deletePet
              summary: Delete a pet
              responses:
                "204":
                  description: Deleted.
                "404":
                  description: No such pet.
        components:
          schemas:
            NewPet:
              type: object
              required: [name]
              properties:
                name: {type: string, description: "The pet's name."}
                tag: {type: string, description: "A free-form tag such as the species."}
            Pet:
              type: object
              required: [id, name]
              properties:
                id: {type: integer}
                name: {type: string}
                tag: {type: string}

        """
}
