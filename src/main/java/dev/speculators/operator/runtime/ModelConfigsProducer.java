package dev.speculators.operator.runtime;

import dev.speculators.io.hub.HfHub;
import dev.speculators.operator.preflight.ModelConfigs;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Where the storage pre-flight reads target models' configs, from {@link OperatorSettings}. */
@Singleton
public class ModelConfigsProducer {

  @Produces
  @Singleton
  ModelConfigs modelConfigs(OperatorSettings s) {
    return new ModelConfigs(
        roots(s.preflightModelRoots().orElse(List.of())),
        s.preflightHub() ? HfHub::fromEnvironment : null);
  }

  /** {@code name=dir} entries; the last {@code =} separates (names may contain one). */
  static Map<String, Path> roots(List<String> entries) {
    Map<String, Path> roots = new LinkedHashMap<>();
    for (String e : entries) {
      int eq = e.lastIndexOf('=');
      if (eq <= 0 || eq == e.length() - 1) {
        throw new IllegalArgumentException(
            "speculators.preflight.model-roots: '" + e + "' is not NAME=DIR");
      }
      roots.put(e.substring(0, eq).trim(), Path.of(e.substring(eq + 1).trim()));
    }
    return roots;
  }
}
