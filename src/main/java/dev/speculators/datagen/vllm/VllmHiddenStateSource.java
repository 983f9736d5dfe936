package dev.speculators.datagen.vllm;

import dev.speculators.datagen.GenerationException;
import dev.speculators.datagen.HiddenStateSource;
import dev.speculators.io.DType;
import dev.speculators.io.HostTensor;
import dev.speculators.io.SafeTensors;
import dev.speculators.io.SafeTensorsFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Hidden states from a vLLM server started with the {@code extract_hidden_states} speculative
 * method and the {@code ExampleHiddenStatesConnector}: a prefill-only completion per row, after
 * which the connector's staging file {@code <req>.safetensors} ({@code hidden_states [S, L, H]},
 * {@code token_ids [S]}) is read once its writer releases {@code <req>.safetensors.lock}, checked
 * against the ids sent, split into L tensors, and deleted with its lock.
 *
 * <p>The path in the response is the server's; when the shared volume is mounted elsewhere in this
 * container, {@code hiddenStatesDir} replaces its directory.
 */
public final class VllmHiddenStateSource implements HiddenStateSource {
  /**
   * Rows of the staging tensor read per chunk: bounds the mapped window, allows files over 2 GiB.
   */
  private static final long CHUNK_BYTES = 256L << 20;

  private final VllmClient client;
  private final String model;
  private final Path hiddenStatesDir;
  private final long lockTimeoutMillis;

  public VllmHiddenStateSource(
      VllmClient client, String model, Path hiddenStatesDir, long lockTimeoutMillis) {
    this.client = client;
    this.model = model;
    this.hiddenStatesDir = hiddenStatesDir;
    this.lockTimeoutMillis = lockTimeoutMillis;
  }

  @Override
  public String description() {
    return "vLLM extract_hidden_states at " + client.base();
  }

  @Override
  public List<HostTensor> prefill(long[] ids, int[] layerIds)
      throws GenerationException, InterruptedException {
    VllmClient.Completion c = client.prefill(model, ids);
    Path staging = localPath(c.hiddenStatesPath());
    Path lock = staging.resolveSibling(staging.getFileName() + ".lock");
    try {
      if (c.promptTokenIds() != null && !Arrays.equals(c.promptTokenIds(), ids)) {
        throw new GenerationException(
            "vLLM prefilled other tokens than sent: " + firstDifference(ids, c.promptTokenIds()),
            true,
            null);
      }
      return read(staging, lock, ids, layerIds.length);
    } finally {
      deleteQuietly(staging);
      deleteQuietly(lock);
    }
  }

  private List<HostTensor> read(Path staging, Path lock, long[] ids, int layers)
      throws GenerationException, InterruptedException {
    try (Flock held = Flock.shared(lock, lockTimeoutMillis)) {
      if (!Files.exists(staging)) {
        throw new GenerationException(
            "hidden-states file "
                + staging
                + " does not exist (is --hidden-states-dir the volume vLLM writes to?)",
            true,
            null);
      }
      try (SafeTensorsFile f = SafeTensors.open(staging)) {
        return readChecked(f, staging, ids, layers);
      }
    } catch (GenerationException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new GenerationException(
          "hidden-states file " + staging + ": " + e.getMessage(), true, e);
    }
  }

  private static List<HostTensor> readChecked(
      SafeTensorsFile f, Path staging, long[] ids, int layers)
      throws IOException, GenerationException {
    if (!f.has("hidden_states") || !f.has("token_ids")) {
      throw new GenerationException(
          staging + " lacks hidden_states or token_ids (tensors: " + f.names() + ")", true, null);
    }
    long[] tokenIds = f.get("token_ids").toLongArray();
    if (!Arrays.equals(tokenIds, ids)) {
      throw new GenerationException(
          staging + ": token_ids differ from the prompt sent: " + firstDifference(ids, tokenIds),
          true,
          null);
    }
    SafeTensorsFile.TensorInfo info = f.info("hidden_states");
    long[] shape = info.shape();
    if (shape.length != 3 || shape[0] != ids.length || shape[1] != layers) {
      throw new GenerationException(
          staging
              + ": hidden_states has shape "
              + Arrays.toString(shape)
              + ", expected ["
              + ids.length
              + ", "
              + layers
              + ", H] (do --layer-ids match the server's eagle_aux_hidden_state_layer_ids?)",
          false,
          null);
    }
    DType dt = info.dtype();
    int s = (int) shape[0];
    int h = (int) shape[2];
    int rowBytes = Math.multiplyExact(h, dt.byteSize());
    List<ByteBuffer> out = new ArrayList<>(layers);
    for (int j = 0; j < layers; j++) {
      out.add(ByteBuffer.allocate(Math.multiplyExact(s, rowBytes)).order(ByteOrder.LITTLE_ENDIAN));
    }
    long tokensPerChunk = Math.max(1, CHUNK_BYTES / ((long) rowBytes * layers));
    for (long from = 0; from < s; from += tokensPerChunk) {
      long to = Math.min(s, from + tokensPerChunk);
      ByteBuffer chunk = f.getRows("hidden_states", from, to).data();
      for (int t = 0; t < to - from; t++) {
        for (int j = 0; j < layers; j++) {
          int at = (t * layers + j) * rowBytes;
          out.get(j).put(chunk.duplicate().position(at).limit(at + rowBytes));
        }
      }
    }
    List<HostTensor> tensors = new ArrayList<>(layers);
    for (ByteBuffer b : out) {
      b.flip();
      tensors.add(HostTensor.of(dt, new long[] {s, h}, b));
    }
    return tensors;
  }

  /**
   * Deletes staging files (and locks) in {@code dir} untouched for longer than {@code age}: what a
   * crashed earlier run of this worker left behind. Staging space is often {@code /dev/shm}, which
   * a crash loop would otherwise fill. Newer files may belong to requests still in flight.
   *
   * @return how many files were deleted
   */
  public static int removeStale(Path dir, java.time.Duration age) throws IOException {
    if (dir == null || !Files.isDirectory(dir)) {
      return 0;
    }
    long cutoff = System.currentTimeMillis() - age.toMillis();
    int n = 0;
    try (java.util.stream.Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        String name = p.getFileName().toString();
        if ((name.endsWith(".safetensors") || name.endsWith(".safetensors.lock"))
            && Files.isRegularFile(p)
            && Files.getLastModifiedTime(p).toMillis() < cutoff) {
          Files.deleteIfExists(p);
          n++;
        }
      }
    }
    return n;
  }

  private Path localPath(String serverPath) {
    Path p = Path.of(serverPath);
    return hiddenStatesDir == null ? p : hiddenStatesDir.resolve(p.getFileName());
  }

  static String firstDifference(long[] sent, long[] got) {
    int n = Math.min(sent.length, got.length);
    int i = Arrays.mismatch(sent, 0, n, got, 0, n);
    if (i < 0) {
      return sent.length + " tokens sent, " + got.length + " returned";
    }
    return "position "
        + i
        + ": sent "
        + sent[i]
        + ", got "
        + got[i]
        + " ("
        + sent.length
        + " vs "
        + got.length
        + " tokens)";
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // a leftover staging file is harmless; the directory is scratch space
    }
  }
}
