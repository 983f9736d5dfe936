package dev.speculators.train.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speculators.io.dataset.DatasetLayout;
import dev.speculators.io.dataset.HfDatasetDir;
import dev.speculators.io.dataset.HiddenStatesFile;
import dev.speculators.io.dataset.SampleFile;
import dev.speculators.io.dataset.SampleLengths;
import dev.speculators.io.dataset.TokenFrequencies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.function.Consumer;

/**
 * A speculators hidden-state dataset on disk, in either of upstream's two layouts ({@link Format}).
 *
 * <p><b>v0.3/v0.4 sample files</b> (eagle3-spec §4.2; our datagen writes these): {@code
 * <root>/data/data_<i>.pt} samples, {@code <root>/data/sample_lengths.json}, {@code
 * <root>/data/data_config.json} and {@code <root>/token_freq.pt}. {@link #open} takes the root or
 * the {@code data/} directory itself. Samples are found as upstream finds them: every file under
 * the data directory (recursively) whose name ends in {@code pt}, except token-frequency files
 * ({@code token_freq*.pt}) and leftovers of interrupted atomic writes. They are ordered by
 * directory, then by the number in {@code data_<i>.pt} (other names after, by name), so sample
 * indices do not depend on the file system's listing order. Sample lengths come from {@code
 * sample_lengths.json} in the sample's directory (keyed by {@code i} of {@code data_<i>.pt}, as
 * upstream), else from the file itself.
 *
 * <p><b>speculators 0.5 and later</b> (eagle3-spec §4.5): the preprocessed dataset {@code
 * prepare_data.py} saves ({@code save_to_disk}: Arrow files with {@code input_ids} and {@code
 * loss_mask} per row, {@code token_freq.pt} beside them) and {@code
 * hidden_states/hs_<row>.safetensors} inside it ({@link HiddenStateRows}). {@link #open} takes that
 * directory or its {@code hidden_states/}. Samples are the rows with a usable hidden-states file,
 * in row order.
 *
 * <p>Hidden size and the number of captured layers come from the first sample.
 */
public final class SpeculatorsDataset {
  /** How a dataset is laid out. */
  public enum Format {
    /** {@code data/data_<i>.pt}, upstream v0.3/v0.4 and our datagen. */
    SAMPLE_FILES,
    /** A preprocessed Arrow dataset and {@code hidden_states/hs_<i>.safetensors}, upstream 0.5+. */
    ARROW_WITH_HIDDEN_STATES
  }

  /**
   * Our datagen marks vLLM layer-id semantics with a {@code hidden_states.layer_id_semantics} value
   * starting with this.
   */
  public static final String VLLM_SEMANTICS_PREFIX = "vllm";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path root;
  private final Path dataDir;
  private final List<Path> files;
  private final long[] storedLengths;
  private final int hiddenSize;
  private final int capturedLayers;
  private final Path tokenFrequencies;
  private final JsonNode dataConfig;
  private final LayerIdSemantics semantics;
  private final int[] recordedLayerIds;
  private final HiddenStateRows arrowRows;

  private SpeculatorsDataset(
      Path root,
      Path dataDir,
      List<Path> files,
      long[] storedLengths,
      int hiddenSize,
      int capturedLayers,
      Path tokenFrequencies,
      JsonNode dataConfig,
      LayerIdSemantics semantics,
      int[] recordedLayerIds,
      HiddenStateRows arrowRows) {
    this.arrowRows = arrowRows;
    this.root = root;
    this.dataDir = dataDir;
    this.files = files;
    this.storedLengths = storedLengths;
    this.hiddenSize = hiddenSize;
    this.capturedLayers = capturedLayers;
    this.tokenFrequencies = tokenFrequencies;
    this.dataConfig = dataConfig;
    this.semantics = semantics;
    this.recordedLayerIds = recordedLayerIds;
  }

  /** Opens a dataset, finding {@code token_freq.pt} in the usual places. */
  public static SpeculatorsDataset open(Path path) throws IOException {
    return open(path, null, message -> {});
  }

  /**
   * Opens a dataset of either format.
   *
   * @param path the dataset root (containing {@code data/}) or the data directory itself; for a
   *     0.5+ dataset the preprocessed dataset's directory or its {@code hidden_states/}
   * @param tokenFrequencies an explicit {@code token_freq.pt}, or null to look for {@code
   *     token_freq.pt} in the root, then in the data directory
   * @param progress receives a line now and then while lengths are read from sample files
   * @throws IOException when the path has no samples, a file cannot be read, or the metadata is
   *     inconsistent; the message names the file
   */
  public static SpeculatorsDataset open(Path path, Path tokenFrequencies, Consumer<String> progress)
      throws IOException {
    return open(path, tokenFrequencies, HiddenStatesOptions.DEFAULTS, progress);
  }

  /**
   * Opens a dataset of either format, with the options of a speculators 0.5+ dataset's hidden
   * states; a sample-file dataset refuses them.
   */
  public static SpeculatorsDataset open(
      Path path, Path tokenFrequencies, HiddenStatesOptions hiddenStates, Consumer<String> progress)
      throws IOException {
    if (!Files.isDirectory(path)) {
      throw new IOException("dataset path " + path + " is not a directory");
    }
    if (HfDatasetDir.isOne(path)) {
      return openArrow(path, tokenFrequencies, hiddenStates, progress);
    }
    Path parent = path.toAbsolutePath().getParent();
    if (path.getFileName() != null
        && path.getFileName().toString().equals(HiddenStatesFile.DIR)
        && parent != null
        && HfDatasetDir.isOne(parent)) {
      return openArrow(parent, tokenFrequencies, hiddenStates, progress);
    }
    if (hiddenStates.given()) {
      throw new IOException(
          "--hidden-states-path and --on-missing apply to speculators 0.5+ datasets (a"
              + " preprocessed Arrow dataset with hs_<row>.safetensors files); "
              + path
              + " is not one");
    }
    boolean isRoot = Files.isDirectory(path.resolve(DatasetLayout.DATA_DIR));
    Path dataDir = isRoot ? path.resolve(DatasetLayout.DATA_DIR) : path;
    Path root = isRoot ? path : parentOrSelf(path);
    List<Path> files = discoverSampleFiles(dataDir);
    if (files.isEmpty()) {
      throw new IOException(
          "no sample files (names ending in \"pt\", e.g. data_0.pt) under " + dataDir);
    }
    long[] lengths = readLengths(files, progress);

    Path first = files.get(0);
    SampleFile firstSample = SampleFile.read(first);
    int capturedLayers = firstSample.numLayers();
    int hiddenSize = firstSample.hiddenSize();

    Path freq = resolveTokenFrequencies(tokenFrequencies, root, dataDir);
    Path configFile =
        firstExisting(
            dataDir.resolve(DatasetLayout.DATA_CONFIG), root.resolve(DatasetLayout.DATA_CONFIG));
    JsonNode config = configFile == null ? null : readJson(configFile);
    LayerIdSemantics semantics = LayerIdSemantics.LAYER_OUTPUT;
    int[] recorded = null;
    if (config != null) {
      JsonNode hs = config.path("hidden_states");
      // written by datagen next to the ids; older datagen versions only had it in their own section
      String marker =
          hs.path("layer_id_semantics")
              .asText(config.path("speculators_operator").path("layer_id_semantics").asText(""));
      if (marker.startsWith(VLLM_SEMANTICS_PREFIX)) {
        semantics = LayerIdSemantics.VLLM;
      }
      recorded = layerIds(configFile, hs.path("layer_ids"));
      if (recorded != null && recorded.length != capturedLayers) {
        throw new IOException(
            configFile
                + ": hidden_states.layer_ids lists "
                + recorded.length
                + " layers but "
                + first
                + " holds "
                + capturedLayers
                + " hidden-state tensors");
      }
      JsonNode configuredHidden = config.path("model").path("hidden_size");
      if (configuredHidden.canConvertToInt() && configuredHidden.asInt() != hiddenSize) {
        throw new IOException(
            configFile
                + ": model.hidden_size is "
                + configuredHidden.asInt()
                + " but "
                + first
                + " has hidden states of size "
                + hiddenSize);
      }
    }
    return new SpeculatorsDataset(
        root,
        dataDir,
        List.copyOf(files),
        lengths,
        hiddenSize,
        capturedLayers,
        freq,
        config,
        semantics,
        recorded,
        null);
  }

  /** A speculators 0.5+ dataset: the preprocessed Arrow dataset in {@code dir}. */
  private static SpeculatorsDataset openArrow(
      Path dir, Path tokenFrequencies, HiddenStatesOptions hiddenStates, Consumer<String> progress)
      throws IOException {
    HiddenStateRows rows =
        HiddenStateRows.open(
            dir,
            hiddenStates.dir() != null ? hiddenStates.dir() : dir.resolve(HiddenStatesFile.DIR),
            hiddenStates.missing(),
            progress);
    long[] lengths = new long[rows.size()];
    for (int i = 0; i < lengths.length; i++) {
      lengths[i] = rows.length(i);
    }
    return new SpeculatorsDataset(
        dir,
        rows.hiddenStatesDir(),
        rows.files(),
        lengths,
        rows.hiddenSize(),
        rows.layers(),
        resolveTokenFrequencies(tokenFrequencies, dir, dir),
        null,
        LayerIdSemantics.VLLM,
        null,
        rows);
  }

  // ---------------------------------------------------------------- accessors

  public Format format() {
    return arrowRows == null ? Format.SAMPLE_FILES : Format.ARROW_WITH_HIDDEN_STATES;
  }

  /**
   * The train/validation split of this dataset. Sample files: by a seeded permutation ({@link
   * DatasetSplit#of}). 0.5+: contiguous by row as upstream's {@code ArrowDataset} ({@link
   * DatasetSplit#byRows}; {@code prepare_data.py} already shuffled the rows with its seed).
   */
  public DatasetSplit split(double validationRatio, long seed) {
    if (arrowRows == null) {
      return DatasetSplit.of(size(), validationRatio, seed);
    }
    long[] rowOf = new long[size()];
    for (int i = 0; i < rowOf.length; i++) {
      rowOf[i] = arrowRows.row(i);
    }
    return DatasetSplit.byRows(rowOf, arrowRows.rowCount(), validationRatio);
  }

  /** The dataset root ({@code token_freq.pt} lives here). */
  public Path root() {
    return root;
  }

  /** The directory the sample files are in ({@code hidden_states/} for a 0.5+ dataset). */
  public Path dataDir() {
    return dataDir;
  }

  public int size() {
    return files.size();
  }

  /** The file of sample {@code index}. */
  public Path file(int index) {
    return files.get(index);
  }

  /** All sample files in index order. */
  public List<Path> files() {
    return files;
  }

  /** {@code S} of sample {@code index} as stored (from {@code sample_lengths.json} or the file). */
  public long storedLength(int index) {
    return storedLengths[index];
  }

  /**
   * Positions every sample contributes to a packed row, {@code S - 1} (the shift drops one), for
   * the sampler. (Upstream gives its sampler the stored {@code S} when {@code sample_lengths.json}
   * exists and {@code S - 1} otherwise; packing what is actually packed fills rows better.)
   */
  public long[] packedLengths() {
    long[] out = new long[storedLengths.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.max(0, storedLengths[i] - 1);
    }
    return out;
  }

  /** {@code H}, the verifier's hidden size. */
  public int hiddenSize() {
    return hiddenSize;
  }

  /** {@code L}, hidden-state tensors per sample (auxiliary layers plus the last layer). */
  public int capturedLayers() {
    return capturedLayers;
  }

  /** {@code L - 1}, auxiliary layers concatenated into the draft's fc input. */
  public int auxLayerCount() {
    return capturedLayers - 1;
  }

  /** {@code token_freq.pt}, when one was found or given. */
  public Optional<Path> tokenFrequencyFile() {
    return Optional.ofNullable(tokenFrequencies);
  }

  /** {@code data_config.json}, when present. */
  public Optional<JsonNode> dataConfig() {
    return Optional.ofNullable(dataConfig);
  }

  /**
   * How the recorded layer ids are to be read. Sample files without our marker: upstream
   * v0.3/v0.4's meaning; 0.5+ datasets: vLLM's (their layers were captured by vLLM).
   */
  public LayerIdSemantics layerIdSemantics() {
    return semantics;
  }

  /** The layer ids in {@code data_config.json} as written, if any. */
  public Optional<int[]> recordedLayerIds() {
    return Optional.ofNullable(recordedLayerIds).map(int[]::clone);
  }

  /** {@link #auxLayerIds(int, List)} without ids given. */
  public int[] auxLayerIds(int numHiddenLayers) {
    return auxLayerIds(numHiddenLayers, null);
  }

  /**
   * The auxiliary layer ids in vLLM's meaning, for the exported {@code
   * eagle_aux_hidden_state_layer_ids}: the given ids; else the recorded ids without the last (the
   * final layer), converted; else the defaults of the generator that wrote the dataset: upstream
   * v0.3/v0.4's {@code [2, N/2, N-3]} (output of layer), i.e. vLLM {@code [3, N/2+1, N-2]}, for
   * sample files, and upstream 0.5+'s vLLM {@code [2, N/2, N-3]} for Arrow datasets.
   *
   * @param numHiddenLayers {@code N}, the verifier's {@code num_hidden_layers}
   * @param given the ids the hidden states were captured at, in vLLM numbering without the final
   *     layer ({@code --target-layer-ids}), or null
   * @throws IllegalStateException when the ids do not fit a verifier of {@code N} layers or the
   *     data: an aux id outside {@code [0, N)} or repeated, a last recorded id that is not the
   *     final layer, a count other than the samples' auxiliary layers, or given ids that contradict
   *     the recorded ones
   */
  public int[] auxLayerIds(int numHiddenLayers, List<Integer> given) {
    int n = numHiddenLayers;
    if (n <= 0) {
      throw new IllegalArgumentException("num_hidden_layers must be positive, got " + n);
    }
    int[] vllm;
    if (given != null) {
      vllm = given.stream().mapToInt(Integer::intValue).toArray();
      if (vllm.length != auxLayerCount()) {
        throw new IllegalStateException(
            "--target-layer-ids lists "
                + vllm.length
                + " layers but the hidden states hold "
                + auxLayerCount()
                + " auxiliary layers (plus the final layer)");
      }
      if (recordedLayerIds != null) {
        int[] recorded = auxLayerIds(n, null);
        if (!java.util.Arrays.equals(recorded, vllm)) {
          throw new IllegalStateException(
              "--target-layer-ids "
                  + java.util.Arrays.toString(vllm)
                  + " contradict the layer ids the dataset records, "
                  + java.util.Arrays.toString(recorded)
                  + " in vLLM numbering");
        }
      }
    } else if (recordedLayerIds == null && arrowRows != null) {
      if (auxLayerCount() != 3) {
        throw new IllegalStateException(
            "the hidden states hold "
                + auxLayerCount()
                + " auxiliary layers; upstream's defaults [2, N/2, N-3] describe 3: pass the ids"
                + " vLLM captured with --target-layer-ids");
      }
      vllm = new int[] {2, n / 2, n - 3};
    } else if (recordedLayerIds == null) {
      if (auxLayerCount() != 3) {
        throw new IllegalStateException(
            "the dataset records no layer ids and its samples hold "
                + capturedLayers
                + " layers; upstream's defaults only describe 3 auxiliary layers + the final layer");
      }
      vllm = new int[] {2 + 1, n / 2 + 1, n - 3 + 1};
    } else {
      int last = semantics.toVllm(recordedLayerIds[recordedLayerIds.length - 1]);
      if (last != n) {
        throw new IllegalStateException(
            "the last recorded layer id "
                + recordedLayerIds[recordedLayerIds.length - 1]
                + " ("
                + semantics
                + ") is vLLM id "
                + last
                + ", but the target state must be the final layer, vLLM id "
                + n
                + " for a verifier of "
                + n
                + " layers");
      }
      vllm = new int[recordedLayerIds.length - 1];
      for (int i = 0; i < vllm.length; i++) {
        vllm[i] = semantics.toVllm(recordedLayerIds[i]);
      }
    }
    for (int i = 0; i < vllm.length; i++) {
      if (vllm[i] < 0 || vllm[i] >= n) {
        throw new IllegalStateException(
            "auxiliary layer id "
                + vllm[i]
                + " (vLLM meaning) is outside [0, "
                + n
                + ") for a verifier of "
                + n
                + " layers; the final layer "
                + n
                + " cannot be an auxiliary layer");
      }
      for (int j = 0; j < i; j++) {
        if (vllm[j] == vllm[i]) {
          throw new IllegalStateException("auxiliary layer id " + vllm[i] + " is listed twice");
        }
      }
    }
    return vllm;
  }

  /**
   * Reads sample {@code index} and checks it.
   *
   * @throws IOException naming the file when it is unreadable or not a valid sample, or when it
   *     does not match the dataset's hidden size and layer count
   */
  public AlignedSample load(int index) throws IOException {
    if (arrowRows != null) {
      return arrowRows.load(index);
    }
    Path file = files.get(index);
    SampleFile s = SampleFile.read(file);
    AlignedSample sample = AlignedSample.of(file, s.inputIds(), s.hiddenStates(), s.lossMask());
    if (sample.hiddenSize() != hiddenSize || sample.auxLayerCount() != auxLayerCount()) {
      throw new InvalidSampleException(
          file,
          "holds "
              + (sample.auxLayerCount() + 1)
              + " layers of hidden size "
              + sample.hiddenSize()
              + ", the dataset's first sample "
              + files.get(0).getFileName()
              + " holds "
              + capturedLayers
              + " of "
              + hiddenSize);
    }
    return sample;
  }

  // ---------------------------------------------------------------- discovery

  /**
   * Every sample file under {@code dataDir}, recursively, in stable order: names ending in {@code
   * pt} (upstream's rule), without {@code token_freq*.pt} and temporary files.
   */
  public static List<Path> discoverSampleFiles(Path dataDir) throws IOException {
    List<Path> found = new ArrayList<>(DatasetLayout.discoverSampleFiles(dataDir));
    found.removeIf(p -> !isSampleFileName(p.getFileName().toString()));
    return found;
  }

  static boolean isSampleFileName(String name) {
    return name.endsWith("pt") && !name.startsWith("token_freq");
  }

  // ---------------------------------------------------------------- lengths

  private static long[] readLengths(List<Path> files, Consumer<String> progress)
      throws IOException {
    long[] lengths = new long[files.size()];
    Map<Path, Optional<SortedMap<Integer, Integer>>> tables = new HashMap<>();
    int fromFiles = 0;
    long lastReport = System.nanoTime();
    for (int i = 0; i < files.size(); i++) {
      Path file = files.get(i);
      Path dir = file.toAbsolutePath().getParent();
      Optional<SortedMap<Integer, Integer>> table = tables.get(dir);
      if (table == null) {
        Path p = dir.resolve(DatasetLayout.SAMPLE_LENGTHS);
        table = Files.isRegularFile(p) ? Optional.of(SampleLengths.read(p)) : Optional.empty();
        tables.put(dir, table);
      }
      OptionalLong index = DatasetLayout.sampleIndex(file);
      Integer recorded =
          table.isPresent() && index.isPresent() && index.getAsLong() <= Integer.MAX_VALUE
              ? table.get().get((int) index.getAsLong())
              : null;
      if (recorded != null) {
        lengths[i] = recorded;
        continue;
      }
      lengths[i] = SampleFile.read(file).length();
      fromFiles++;
      if (System.nanoTime() - lastReport > 5_000_000_000L) {
        progress.accept(
            "reading sample lengths from files: " + (i + 1) + "/" + files.size() + " done");
        lastReport = System.nanoTime();
      }
    }
    if (fromFiles > 0) {
      progress.accept(
          "read the lengths of "
              + fromFiles
              + " of "
              + files.size()
              + " samples from the files (no entry in sample_lengths.json)");
    }
    return lengths;
  }

  // ---------------------------------------------------------------- token frequencies

  /**
   * The token counts of {@link #tokenFrequencyFile()}.
   *
   * @throws IOException when there is no such file or it cannot be read (names the file)
   */
  public Map<Long, Long> readTokenFrequencies() throws IOException {
    if (tokenFrequencies == null) {
      throw new IOException(
          "no token_freq.pt in "
              + root
              + " or "
              + dataDir
              + "; pass the token frequency file explicitly");
    }
    return TokenFrequencies.read(tokenFrequencies);
  }

  // ---------------------------------------------------------------- metadata

  private static Path resolveTokenFrequencies(Path explicit, Path root, Path dataDir)
      throws IOException {
    if (explicit != null) {
      if (!Files.isRegularFile(explicit)) {
        throw new IOException("token frequency file " + explicit + " does not exist");
      }
      return explicit;
    }
    return firstExisting(
        root.resolve(DatasetLayout.TOKEN_FREQ), dataDir.resolve(DatasetLayout.TOKEN_FREQ));
  }

  private static int[] layerIds(Path configFile, JsonNode ids) throws IOException {
    if (ids.isMissingNode() || ids.isNull()) {
      return null;
    }
    if (!ids.isArray() || ids.size() < 2) {
      throw new IOException(
          configFile
              + ": hidden_states.layer_ids must be a list of at least 2 layer ids, found "
              + ids);
    }
    int[] out = new int[ids.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = ids.get(i);
      if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
        throw new IOException(
            configFile
                + ": hidden_states.layer_ids["
                + i
                + "] is "
                + v
                + ", expected a non-negative integer");
      }
      out[i] = v.asInt();
    }
    return out;
  }

  private static JsonNode readJson(Path p) throws IOException {
    try {
      return JSON.readTree(p.toFile());
    } catch (IOException e) {
      throw new IOException(p + ": not valid JSON: " + e.getMessage(), e);
    }
  }

  private static Path firstExisting(Path... candidates) {
    for (Path p : candidates) {
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    return null;
  }

  private static Path parentOrSelf(Path p) {
    Path parent = p.toAbsolutePath().getParent();
    return parent == null ? p : parent;
  }

  @Override
  public String toString() {
    return "SpeculatorsDataset["
        + format()
        + ", "
        + dataDir
        + ", "
        + files.size()
        + " samples, H="
        + hiddenSize
        + ", layers="
        + capturedLayers
        + ", "
        + semantics
        + "]";
  }
}
