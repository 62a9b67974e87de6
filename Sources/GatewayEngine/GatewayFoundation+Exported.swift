// Every engine file (and every client of the engine) sees the bottom layer without importing it one file at a time:
// JSON, errors and the protocol types are the engine's vocabulary. The layering still holds where it matters: the
// foundation target cannot see the engine.
@_exported import GatewayFoundation
