package dev.speculators.engine;

/**
 * Thread settings of libtorch for the reference engine. Its models are tiny, and on tiny ops
 * libtorch's OpenMP threads cost more than they bring (they spin on every op, and on a busy machine
 * each op then waits for a core): one intra-op thread is faster. The properties are read once, when
 * DJL starts its engine, so this must run before the first array is made; explicit {@code
 * -Dai.djl.pytorch.num_threads} settings win.
 */
public final class EngineThreads {
  private EngineThreads() {}

  public static void preferSingleThread() {
    setIfAbsent("ai.djl.pytorch.num_threads", "1");
    setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
