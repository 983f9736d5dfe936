package dev.speculators.operator.preflight;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speculators.api.common.ModelSource;
import dev.speculators.io.hf.HfModelDir;
import dev.speculators.io.hub.HfHub;
import dev.speculators.io.hub.RepoType;
import dev.speculators.operator.pods.Volumes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The target models' {@code config.json}, where the operator itself can read it: a model on a claim
 * or in the image whose volume or directory is mounted into the operator ({@code
 * speculators.preflight.model-roots}: {@code pvc:<claim>} or an image path, mapped to a local
 * directory), or a public Hub model when the operator may reach the Hub ({@code
 * speculators.preflight.hub}). Gated models (with a token Secret) are left to the pods. Speculators
 * are read the same way, for their context length. What was read is kept, and so is a failure, for
 * a while: a reconciliation never waits on the Hub twice.
 */
public final class ModelConfigs {
  private static final Logger LOG = Logger.getLogger(ModelConfigs.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<Map.Entry<String, Path>> roots;
  private final Supplier<HfHub> hub;
  private final Map<String, Optional<ModelFacts>> cache = new ConcurrentHashMap<>();
  private final Map<String, Optional<Integer>> draftCache = new ConcurrentHashMap<>();

  /**
   * @param roots {@code pvc:<claim>} or an absolute path in the image, to the local directory where
   *     the operator sees it
   * @param hub the Hub client, or null when the operator must not reach the Hub
   */
  public ModelConfigs(Map<String, Path> roots, Supplier<HfHub> hub) {
    this.roots =
        roots.entrySet().stream()
            .sorted(
                Comparator.comparingInt((Map.Entry<String, Path> e) -> e.getKey().length())
                    .reversed())
            .map(e -> Map.entry(trim(e.getKey()), e.getValue()))
            .toList();
    this.hub = hub;
  }

  /** Reads nothing: every check is left to the pods. */
  public static ModelConfigs none() {
    return new ModelConfigs(Map.of(), null);
  }

  /** The facts of {@code m}, if the operator can read its config. */
  public Optional<ModelFacts> facts(ModelSource m) {
    if (m == null) {
      return Optional.empty();
    }
    String key = m.describe();
    return cache.computeIfAbsent(key, k -> read(m));
  }

  /**
   * The context length of a speculator, where the operator can read its {@code config.json}: the
   * {@code max_position_embeddings} of its {@code transformer_layer_config} (speculators format) or
   * of the config itself (older EAGLE checkpoints) — what vLLM takes as the draft's longest
   * sequence.
   *
   * @param hfId a Hub speculator, or null
   * @param revision its revision, or null for main
   * @param claimName the claim of a speculator on a volume (with {@code path}), or null
   * @param path its directory on that claim
   */
  public Optional<Integer> draftMaxPositions(
      String hfId, String revision, String claimName, String path) {
    String key =
        hfId != null ? "draft hf:" + hfId + "@" + revision : "draft pvc:" + claimName + "/" + path;
    return draftCache.computeIfAbsent(key, k -> readDraft(hfId, revision, claimName, path));
  }

  private Optional<Integer> readDraft(String hfId, String revision, String claimName, String path) {
    try {
      Optional<Path> dir;
      if (hfId != null) {
        if (hub == null) {
          return Optional.empty();
        }
        dir =
            Optional.of(
                hub.get()
                    .download(
                        RepoType.MODEL, hfId, revision == null ? "main" : revision, "config.json")
                    .getParent());
      } else if (claimName != null && path != null) {
        dir = local(Volumes.contentName(claimName, path));
      } else {
        return Optional.empty();
      }
      if (dir.isEmpty() || !Files.isRegularFile(dir.get().resolve("config.json"))) {
        return Optional.empty();
      }
      return HfModelDir.draftMaxPositionEmbeddings(
          JSON.readTree(dir.get().resolve("config.json").toFile()));
    } catch (IOException | RuntimeException e) {
      LOG.debugf(
          "cannot read the config of speculator %s: %s",
          hfId != null ? hfId : claimName + "/" + path, e.getMessage());
      return Optional.empty();
    }
  }

  /** Where the operator sees {@code pvc:<claim>/<dir>} or an image path, if it is under a root. */
  private Optional<Path> local(String name) {
    for (Map.Entry<String, Path> r : roots) {
      if (name.equals(r.getKey()) || name.startsWith(r.getKey() + "/")) {
        String rest = name.substring(r.getKey().length());
        while (rest.startsWith("/")) {
          rest = rest.substring(1);
        }
        return Optional.of(rest.isEmpty() ? r.getValue() : r.getValue().resolve(rest));
      }
    }
    return Optional.empty();
  }

  private Optional<ModelFacts> read(ModelSource m) {
    try {
      if (m.hfId != null) {
        if (hub == null || m.tokenSecretRef != null) {
          return Optional.empty();
        }
        Path config =
            hub.get()
                .download(
                    RepoType.MODEL,
                    m.hfId,
                    m.revision == null ? "main" : m.revision,
                    "config.json");
        return open(config.getParent());
      }
      String name =
          m.pvc != null
              ? Volumes.contentName(m.pvc.claimName, m.pvc.subPath)
              : Path.of(m.path).normalize().toString();
      Optional<Path> dir = local(name);
      return dir.isEmpty() ? Optional.empty() : open(dir.get());
    } catch (IOException | RuntimeException e) {
      LOG.debugf("cannot read the config of %s: %s", m.describe(), e.getMessage());
      return Optional.empty();
    }
  }

  private static Optional<ModelFacts> open(Path dir) throws IOException {
    if (!Files.isRegularFile(dir.resolve("config.json"))) {
      return Optional.empty();
    }
    try (HfModelDir m = HfModelDir.open(dir)) {
      return Optional.of(ModelFacts.of(m));
    }
  }

  private static String trim(String s) {
    String t = s;
    while (t.length() > 1 && t.endsWith("/")) {
      t = t.substring(0, t.length() - 1);
    }
    return t;
  }
}
