package dev.speculators.cli;

/** Process-wide settings every command needs before any library is touched. */
public final class Workers {
  private Workers() {}

  /**
   * DJL must never download anything or phone home: native libraries come from the jar (CPU) or
   * from {@code PYTORCH_LIBRARY_PATH} (CUDA images). Set here, in code, so that no deployment can
   * forget it.
   */
  public static void configureNativeEnvironment() {
    setIfAbsent("ai.djl.offline", "true");
    setIfAbsent("offline", "true");
    setIfAbsent("OPT_OUT_TRACKING", "true");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
