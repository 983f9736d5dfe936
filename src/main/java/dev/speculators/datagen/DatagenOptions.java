package dev.speculators.datagen;

import dev.speculators.datagen.source.DataSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Everything one datagen shard run is told (the CLI flags, validated). */
public record DatagenOptions(
    String endpoint,
    String model,
    String modelRevision,
    List<DataSpec> data,
    Path output,
    int sequenceLength,
    Long maxSamples,
    int[] layerIds,
    int shard,
    int shards,
    int concurrency,
    long seed,
    boolean turnDropout,
    Engine engine,
    Renderer renderer,
    Map<String, Object> chatTemplateKwargs,
    Path hiddenStatesDir,
    Duration requestTimeout,
    Duration startupTimeout,
    Duration lockTimeout,
    int maxRetries,
    Duration retryBackoff,
    int maxConsecutiveFailures,
    Duration progressInterval,
    String gpuName,
    Integer tensorParallelSize,
    List<String> commandLine,
    Map<String, String> volumeNames,
    boolean preflightOnly) {

  /** Where hidden states come from. */
  public enum Engine {
    /** A vLLM server with the extract_hidden_states method (production). */
    VLLM,
    /** The in-process CPU reference engine (tiny models, tests, local runs). */
    REFERENCE
  }

  /** Where token ids and render boundaries come from. */
  public enum Renderer {
    /** vLLM's /tokenize for engine vllm, the in-process template for engine reference. */
    AUTO,
    VLLM,
    REFERENCE
  }

  public DatagenOptions {
    data = List.copyOf(data);
    chatTemplateKwargs = chatTemplateKwargs == null ? Map.of() : Map.copyOf(chatTemplateKwargs);
    commandLine = commandLine == null ? List.of() : List.copyOf(commandLine);
    volumeNames = volumeNames == null ? Map.of() : Map.copyOf(volumeNames);
    if (data.isEmpty()) {
      throw new IllegalArgumentException("--data: at least one dataset is required");
    }
    if (sequenceLength < 2) {
      throw new IllegalArgumentException("--seq-length must be at least 2, got " + sequenceLength);
    }
    if (maxSamples != null && maxSamples < 1) {
      throw new IllegalArgumentException("--max-samples must be at least 1, got " + maxSamples);
    }
    if (shards < 1 || shard < 0 || shard >= shards) {
      throw new IllegalArgumentException("--shard " + shard + "/" + shards + ": need 0 <= i < n");
    }
    if (concurrency < 1) {
      throw new IllegalArgumentException("--concurrency must be at least 1, got " + concurrency);
    }
    if (maxRetries < 0) {
      throw new IllegalArgumentException("--max-retries must not be negative, got " + maxRetries);
    }
    if (maxConsecutiveFailures < 1) {
      throw new IllegalArgumentException(
          "--max-consecutive-failures must be at least 1, got " + maxConsecutiveFailures);
    }
    if (engine == Engine.VLLM && (endpoint == null || endpoint.isBlank())) {
      throw new IllegalArgumentException("--endpoint is required with --engine vllm");
    }
    if (layerIds != null) {
      if (layerIds.length < 2) {
        throw new IllegalArgumentException(
            "--layer-ids needs at least two ids (auxiliary layers and the final layer)");
      }
      for (int id : layerIds) {
        if (id < 0) {
          throw new IllegalArgumentException("--layer-ids: negative id " + id);
        }
      }
    }
  }

  /** The renderer actually used. */
  public Renderer effectiveRenderer() {
    if (renderer != Renderer.AUTO) {
      return renderer;
    }
    return engine == Engine.VLLM ? Renderer.VLLM : Renderer.REFERENCE;
  }
}
