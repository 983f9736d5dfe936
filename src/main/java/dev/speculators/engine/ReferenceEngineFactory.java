package dev.speculators.engine;

import dev.speculators.datagen.DatagenOptions;
import dev.speculators.datagen.HiddenStateSource;
import dev.speculators.datagen.HiddenStateSourceFactory;
import dev.speculators.datagen.TargetModel;
import java.io.IOException;
import java.nio.file.Files;

/**
 * Plugs the reference engine into the datagen worker ({@code --engine reference}); found through
 * {@link java.util.ServiceLoader}. The target's weights must be in its directory (for a Hub id the
 * worker fetches only configuration and tokenizer files, so the reference engine needs a local
 * model directory).
 */
public final class ReferenceEngineFactory implements HiddenStateSourceFactory {

  @Override
  public String engine() {
    return "reference";
  }

  @Override
  public HiddenStateSource open(TargetModel model, DatagenOptions options) throws IOException {
    boolean hasWeights;
    try (var files = Files.list(model.dir())) {
      hasWeights = files.anyMatch(p -> p.getFileName().toString().endsWith(".safetensors"));
    }
    if (!hasWeights) {
      throw new IOException(
          "--engine reference needs the target's weights: no *.safetensors in " + model.dir()
              + " (pass a local model directory as --model)");
    }
    EngineThreads.preferSingleThread();
    ReferenceModel m = ReferenceModel.load(model.dir());
    return new ReferenceHiddenStateSource(
        m, "reference engine (" + m.config().architecture().modelType() + ", CPU) on " + model.dir(), null);
  }
}
