/// What this build is: `--version`, the `immoflow_build_info` metric, and openapi.yaml's
/// `info.version` (a test holds the two equal).
public enum BuildInfo {
    public static let version = "0.5.0"
}
