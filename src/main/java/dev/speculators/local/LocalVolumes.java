package dev.speculators.local;

import dev.speculators.api.common.ModelSource;
import dev.speculators.api.common.Storage;
import dev.speculators.api.common.VolumePath;
import dev.speculators.io.hub.HfHub;
import dev.speculators.io.hub.RepoType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Where the volumes of resources are on this machine, for {@code run -f}:
 *
 * <ul>
 *   <li>a resource's own storage (none, or a PVC the operator would create): {@code
 *       <output>/<name>}
 *   <li>storage on an existing claim: {@code <output>/volumes/<claimName>/<subPath or name>}
 *   <li>a volume path on a claim ({@code claimName} + {@code path}) and a model on a claim ({@code
 *       pvc}): {@code <output>/volumes/<claimName>/<path or subPath>}
 *   <li>a volume path without a claim, and a model {@code path}: relative to the resource file
 *   <li>a model {@code hfId}: downloaded into the Hugging Face cache (config, weights, tokenizer)
 * </ul>
 */
public final class LocalVolumes {
  public static final String VOLUMES = "volumes";

  private final Path resourceDir;
  private final Path output;
  private final Supplier<HfHub> hub;

  public LocalVolumes(Path resourceFile, Path output, Supplier<HfHub> hub) {
    Path parent = resourceFile.toAbsolutePath().normalize().getParent();
    this.resourceDir = parent == null ? Path.of("").toAbsolutePath() : parent;
    this.output = output.toAbsolutePath().normalize();
    this.hub = hub;
  }

  public Path output() {
    return output;
  }

  /** The directory of a resource's outputs. */
  public Path storage(Storage storage, String resourceName) {
    if (storage == null || storage.claimName == null) {
      return output.resolve(resourceName);
    }
    return claim(storage.claimName)
        .resolve(storage.subPath != null ? storage.subPath : resourceName)
        .normalize();
  }

  /** A file or directory named by a volume path. */
  public Path path(VolumePath p) {
    if (p.claimName != null) {
      return claim(p.claimName).resolve(p.path).normalize();
    }
    return resourceDir.resolve(p.path).normalize();
  }

  /** A local directory holding the model (downloaded first for a Hub id). */
  public Path model(ModelSource m) throws IOException {
    if (m.path != null) {
      return resourceDir.resolve(m.path).normalize();
    }
    if (m.pvc != null) {
      return claim(m.pvc.claimName).resolve(m.pvc.subPath == null ? "" : m.pvc.subPath).normalize();
    }
    return hub.get()
        .downloadAll(
            RepoType.MODEL,
            m.hfId,
            m.revision,
            name ->
                name.endsWith(".json") || name.endsWith(".safetensors") || name.endsWith(".jinja"));
  }

  /** A path relative to the resource file (e.g. an evaluation dataset). */
  public Path relative(String path) {
    return resourceDir.resolve(path).normalize();
  }

  private Path claim(String claimName) {
    return output.resolve(VOLUMES).resolve(claimName);
  }
}
