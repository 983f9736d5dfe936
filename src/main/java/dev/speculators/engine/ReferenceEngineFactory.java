package dev.speculators.engine;

import dev.speculators.datagen.DatagenOptions;
import dev.speculators.datagen.HiddenStateSource;
import dev.speculators.datagen.HiddenStateSourceFactory;
import dev.speculators.datagen.TargetModel;
import dev.speculators.io.hub.HfHub;
import dev.speculators.io.hub.RepoType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Plugs the reference engine into the datagen worker ({@code --engine reference}); found through
 * {@link java.util.ServiceLoader}. For a Hub model the worker fetches only configuration and
 * tokenizer files; the engine then fetches the weights into the same snapshot.
 */
public final class ReferenceEngineFactory implements HiddenStateSourceFactory {
  private final Supplier<HfHub> hub;

  /** The factory the service loader makes: Hub settings from the environment. */
  public ReferenceEngineFactory() {
    this(HfHub::fromEnvironment);
  }

  public ReferenceEngineFactory(Supplier<HfHub> hub) {
    this.hub = hub;
  }

  @Override
  public String engine() {
    return "reference";
  }

  @Override
  public HiddenStateSource open(TargetModel model, DatagenOptions options) throws IOException {
    Path dir = model.dir();
    if (!hasWeights(dir)) {
      if (Files.isDirectory(Path.of(options.model()))) {
        throw new IOException(
            "--engine reference needs the target's weights: no *.safetensors in " + dir);
      }
      dir =
          hub.get()
              .downloadAll(
                  RepoType.MODEL,
                  options.model(),
                  options.modelRevision(),
                  name ->
                      name.endsWith(".safetensors") || name.equals("model.safetensors.index.json"));
      if (!hasWeights(dir)) {
        throw new IOException(
            "--engine reference: the Hub model "
                + options.model()
                + " has no *.safetensors weights");
      }
    }
    EngineThreads.preferSingleThread();
    ReferenceModel m = ReferenceModel.load(dir);
    return new ReferenceHiddenStateSource(
        m, "reference engine (" + m.config().architecture().modelType() + ", CPU) on " + dir, null);
  }

  private static boolean hasWeights(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      return files.anyMatch(p -> p.getFileName().toString().endsWith(".safetensors"));
    }
  }
}
