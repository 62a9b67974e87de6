import GatewayEngine
public enum ConsolePlaceholder {}
