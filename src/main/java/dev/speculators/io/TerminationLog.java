package dev.speculators.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The pod contract between workloads and the operator: every workload writes a compact JSON summary
 * to its container termination message, which Kubernetes copies into the pod status and the
 * operator copies into the resource status. Kubernetes truncates the message at 4096 bytes, so a
 * summary that does not fit is replaced by a marker instead of being cut into invalid JSON.
 */
public final class TerminationLog {
  /** The default path Kubernetes reads ({@code terminationMessagePath}). */
  public static final Path DEFAULT_PATH = Path.of("/dev/termination-log");

  /** Environment variable that overrides the path (tests, local runs). */
  public static final String PATH_ENV = "SPECULATORS_TERMINATION_LOG";

  public static final int MAX_BYTES = 4096;

  private static final ObjectMapper JSON = new ObjectMapper();

  private TerminationLog() {}

  /** The path from {@link #PATH_ENV}, else {@link #DEFAULT_PATH}. */
  public static Path defaultPath() {
    String env = System.getenv(PATH_ENV);
    return env == null || env.isBlank() ? DEFAULT_PATH : Path.of(env);
  }

  /**
   * Writes {@code summary} when the target is writable (a pod, or a path given for tests) and
   * silently skips otherwise (a laptop without {@code /dev/termination-log}).
   *
   * @return true if the summary was written
   */
  public static boolean write(Path path, ObjectNode summary) {
    byte[] bytes = encode(summary);
    Path parent = path.toAbsolutePath().getParent();
    // Kubernetes creates the default file; on a laptop it is absent and must not be created.
    boolean writable =
        Files.exists(path)
            ? Files.isWritable(path)
            : !path.equals(DEFAULT_PATH) && parent != null && Files.isWritable(parent);
    if (!writable) {
      return false;
    }
    try {
      Files.write(path, bytes);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The bytes written for {@code summary}: its JSON, or a marker object when it is too large. */
  public static byte[] encode(ObjectNode summary) {
    try {
      byte[] bytes = JSON.writeValueAsBytes(summary);
      if (bytes.length <= MAX_BYTES) {
        return bytes;
      }
      ObjectNode marker = JSON.createObjectNode();
      marker.put("truncated", true);
      marker.put("bytes", bytes.length);
      if (summary.has("kind")) {
        marker.set("kind", summary.get("kind"));
      }
      return JSON.writeValueAsString(marker).getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode termination summary", e);
    }
  }
}
