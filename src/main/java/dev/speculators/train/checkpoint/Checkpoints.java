package dev.speculators.train.checkpoint;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.speculators.io.AtomicFiles;
import dev.speculators.io.DType;
import dev.speculators.io.HostTensor;
import dev.speculators.io.SafeTensors;
import dev.speculators.train.Tensors;
import dev.speculators.train.model.Eagle3DraftModel;
import dev.speculators.train.optim.AdamW;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Training checkpoints under {@code <output>/checkpoints/<name>/}: the servable speculator ({@code
 * config.json}, bf16 {@code model.safetensors}) plus what an exact resume needs ({@code
 * optimizer.safetensors} with float32 master weights and both Adam moments — upstream rounds those
 * to bf16 and resumes lossily — and {@code trainer_state.json}).
 *
 * <p>A checkpoint directory is filled under a temporary name and renamed into place, so every
 * directory that has its final name is complete; a crash mid-write leaves only a temporary
 * directory that {@link #latest} ignores.
 */
public final class Checkpoints {
  public static final String CONFIG = "config.json";
  public static final String MODEL = "model.safetensors";
  public static final String OPTIMIZER = "optimizer.safetensors";
  public static final String STATE = "trainer_state.json";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Checkpoints() {}

  /**
   * What a loaded checkpoint holds. The tensors are memory-mapped from {@code
   * optimizer.safetensors}, never copied onto the Java heap.
   */
  public record Loaded(
      Path dir,
      JsonNode config,
      TrainerState state,
      long optimizerStep,
      Map<String, HostTensor> masterWeights,
      Map<String, HostTensor> expAvg,
      Map<String, HostTensor> expAvgSq) {}

  /** Writes checkpoint {@code name} atomically. */
  public static Path write(
      Path checkpointsDir,
      String name,
      JsonNode config,
      Eagle3DraftModel model,
      long[] d2t,
      boolean[] t2d,
      AdamW optimizer,
      TrainerState state)
      throws IOException {
    Path target = checkpointsDir.resolve(name);
    AtomicFiles.writeDirectory(
        target,
        tmp -> {
          writeSpeculator(tmp, config, model, d2t, t2d, false);
          Map<String, SafeTensors.Source> opt = new TreeMap<>();
          for (String p : optimizer.parameterNames()) {
            opt.put("param." + p, source(model.parameters().get(p)));
            opt.put("exp_avg." + p, source(optimizer.expAvg(p)));
            opt.put("exp_avg_sq." + p, source(optimizer.expAvgSq(p)));
          }
          SafeTensors.writeSources(
              tmp.resolve(OPTIMIZER),
              opt,
              Map.of("step", Long.toString(optimizer.stepCount())),
              false);
          // written last: its presence marks a complete checkpoint even without the rename
          Files.writeString(tmp.resolve(STATE), JSON.writeValueAsString(state));
        });
    return target;
  }

  /**
   * Writes the servable speculator: {@code config.json} and bf16 {@code model.safetensors} with
   * exactly the tensor names vLLM loads (no {@code verifier_*} tensors; {@code d2t}/{@code t2d}
   * unless the draft uses the full vocabulary; {@code embed_tokens.weight} only on request — vLLM
   * shares the verifier's embedding when it is absent).
   */
  public static void writeSpeculator(
      Path dir,
      JsonNode config,
      Eagle3DraftModel model,
      long[] d2t,
      boolean[] t2d,
      boolean includeEmbedTokens)
      throws IOException {
    Files.createDirectories(dir);
    Map<String, SafeTensors.Source> tensors = new TreeMap<>();
    for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
      String name = e.getKey();
      if (name.startsWith("verifier_")
          || (name.equals("embed_tokens.weight") && !includeEmbedTokens)) {
        continue;
      }
      tensors.put(name, source(e.getValue()));
    }
    if (d2t != null) {
      tensors.put("d2t", SafeTensors.Source.of(HostTensor.ofLongs(d2t, d2t.length)));
      tensors.put("t2d", SafeTensors.Source.of(HostTensor.ofBools(t2d, t2d.length)));
    }
    // rounded to bf16 a chunk at a time while writing
    SafeTensors.writeSources(dir.resolve(MODEL), tensors, Map.of("format", "pt"), true);
    AtomicFiles.writeString(dir.resolve(CONFIG), SpeculatorConfig.toJson(config));
  }

  /**
   * An array written straight from its memory: a view on a CPU (no copy); on a GPU a host copy of
   * this one tensor, made when its turn comes and freed once it is written, so a checkpoint never
   * holds more than one tensor in host memory.
   */
  private static SafeTensors.Source source(NDArray a) {
    return new SafeTensors.Source() {
      private NDManager staging;

      @Override
      public DType dtype() {
        return a.getDataType() == DataType.INT64 ? DType.I64 : DType.F32;
      }

      @Override
      public long[] shape() {
        return a.getShape().getShape();
      }

      @Override
      public HostTensor open() {
        staging = NDManager.newBaseManager(Device.cpu());
        return Tensors.view(a, staging);
      }

      @Override
      public void release() {
        staging.close();
      }
    };
  }

  /** The most advanced complete checkpoint (highest global step) under {@code checkpointsDir}. */
  public static Optional<Path> latest(Path checkpointsDir) throws IOException {
    if (!Files.isDirectory(checkpointsDir)) {
      return Optional.empty();
    }
    try (Stream<Path> dirs = Files.list(checkpointsDir)) {
      List<Path> complete =
          dirs.filter(Files::isDirectory)
              .filter(d -> !AtomicFiles.isTemporary(d))
              .filter(d -> Files.isRegularFile(d.resolve(STATE)))
              .toList();
      Map<Path, TrainerState> states = new LinkedHashMap<>();
      for (Path d : complete) {
        states.put(d, readState(d));
      }
      return states.entrySet().stream()
          .max(
              Comparator.comparingLong(
                      (Map.Entry<Path, TrainerState> e) -> e.getValue().globalStep())
                  .thenComparing(e -> e.getValue().epochComplete()))
          .map(Map.Entry::getKey);
    }
  }

  public static TrainerState readState(Path dir) throws IOException {
    try {
      return JSON.readValue(dir.resolve(STATE).toFile(), TrainerState.class);
    } catch (IOException e) {
      throw new IOException(
          "unreadable checkpoint state " + dir.resolve(STATE) + ": " + e.getMessage(), e);
    }
  }

  /** Reads everything a resume needs from checkpoint {@code dir}. */
  public static Loaded read(Path dir) throws IOException {
    JsonNode config = JSON.readTree(dir.resolve(CONFIG).toFile());
    TrainerState state = readState(dir);
    Map<String, HostTensor> params = new LinkedHashMap<>();
    Map<String, HostTensor> m = new LinkedHashMap<>();
    Map<String, HostTensor> v = new LinkedHashMap<>();
    long step;
    try (var file = SafeTensors.open(dir.resolve(OPTIMIZER))) {
      step = Long.parseLong(file.metadata().getOrDefault("step", "0"));
      for (String name : file.names()) {
        HostTensor values = file.get(name);
        if (name.startsWith("param.")) {
          params.put(name.substring(6), values);
        } else if (name.startsWith("exp_avg_sq.")) {
          v.put(name.substring(11), values);
        } else if (name.startsWith("exp_avg.")) {
          m.put(name.substring(8), values);
        }
      }
    }
    return new Loaded(dir, config, state, step, params, m, v);
  }
}
