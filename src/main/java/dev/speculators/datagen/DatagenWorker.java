package dev.speculators.datagen;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.BuildInfo;
import dev.speculators.datagen.chat.ChatRenderer;
import dev.speculators.datagen.chat.ChatRowBuilder;
import dev.speculators.datagen.chat.Conversation;
import dev.speculators.datagen.chat.TemplateRenderException;
import dev.speculators.datagen.chat.TemplateTokenizerRenderer;
import dev.speculators.datagen.chat.TokenRow;
import dev.speculators.datagen.chat.TokenizerConfig;
import dev.speculators.datagen.chat.UnstableBoundaryException;
import dev.speculators.datagen.source.DataSpec;
import dev.speculators.datagen.source.HubDatasets;
import dev.speculators.datagen.source.Source;
import dev.speculators.datagen.source.SourceResolver;
import dev.speculators.datagen.vllm.VllmClient;
import dev.speculators.datagen.vllm.VllmHiddenStateSource;
import dev.speculators.datagen.vllm.VllmTokenizeRenderer;
import dev.speculators.io.AtomicFiles;
import dev.speculators.io.HostTensor;
import dev.speculators.io.StorageCheck;
import dev.speculators.io.dataset.TokenFrequencies;
import dev.speculators.io.hub.HfHub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;

/**
 * One datagen shard: plans the rows (identically in every shard), generates this shard's range with
 * bounded concurrency, retries and a consecutive-failure cap, resumes what a previous run left, and
 * merges the dataset metadata when it finds every shard done.
 */
public final class DatagenWorker {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Rows rendered to measure the mean sample length for the storage check, at most. */
  static final int MEASURED_CONVERSATIONS = 64;

  /**
   * Collaborators that tests replace.
   *
   * @param freeSpace the bytes still free on the volume holding a path
   */
  public record Dependencies(
      HfHub hub,
      HubDatasets hubDatasets,
      HiddenStateSourceFactory referenceEngine,
      ToLongFunction<Path> freeSpace) {

    /** With the volume's real free space. */
    public Dependencies(
        HfHub hub, HubDatasets hubDatasets, HiddenStateSourceFactory referenceEngine) {
      this(hub, hubDatasets, referenceEngine, DatagenWorker::usableSpace);
    }
  }

  /** The outcome: the JSON summary (for the termination log) and the process exit code. */
  public record Result(ObjectNode summary, int exitCode) {}

  private final DatagenOptions o;
  private final Dependencies deps;
  private final Consumer<String> log;
  private final DatagenLayout layout;

  public DatagenWorker(DatagenOptions options, Dependencies deps, Consumer<String> log) {
    this.o = options;
    this.deps = deps;
    this.log = log;
    this.layout = new DatagenLayout(options.output());
  }

  public Result run() throws IOException, InterruptedException {
    String label = "datagen shard " + o.shard() + "/" + o.shards();
    DatasetIdentity identity =
        DatasetIdentity.of(o, DatasetIdentity.VolumeNames.of(o.volumeNames()));
    String hash = identity.hash();
    VllmClient client = null;
    String served = null;
    String vllmVersion = null;
    if (needsServer() && !o.preflightOnly()) {
      client = new VllmClient(o.endpoint(), o.requestTimeout());
      served = client.awaitReady(o.startupTimeout(), log);
      vllmVersion = client.version();
      log.accept(
          "vLLM at "
              + client.base()
              + " serves "
              + served
              + (vllmVersion == null ? "" : " (vLLM " + vllmVersion + ")"));
    }
    TargetModel model = TargetModel.resolve(o.model(), o.modelRevision(), deps.hub());
    int[] layerIds = o.layerIds() != null ? o.layerIds() : model.defaultLayerIds();
    checkLayerIds(layerIds, model);

    ChatRenderer renderer;
    try {
      renderer = openRenderer(client, served, model);
    } catch (IOException e) {
      if (!o.preflightOnly()) {
        throw e;
      }
      // before vLLM serves, rows can only be measured with the model's own template
      log.accept(
          "storage pre-flight skipped: "
              + e.getMessage()
              + "; the worker checks once vLLM serves the tokenizer");
      return new Result(preflightSummary(null, hash), 0);
    }
    try (renderer) {
      ChatRowBuilder rows = new ChatRowBuilder(renderer, o.sequenceLength());
      boolean onePerConversation = rows.probePrefixProperty();
      String probe = probeFingerprint(renderer);
      log.accept(
          "rendering with "
              + renderer.description()
              + ": "
              + (onePerConversation
                  ? "history renders are prefixes, one row per conversation"
                  : "the template rewrites history, one row per assistant turn"));

      List<Source> sources = resolveSources();
      SamplePlanner planner =
          new SamplePlanner(
              sources, o.seed(), o.maxSamples(), o.turnDropout(), onePerConversation, log);
      SamplePlan plan = planner.plan();
      for (SamplePlan.SourceStats s : plan.sourceStats()) {
        log.accept(
            "source " + s.spec() + ": " + s.records() + " records, " + s.selected() + " selected");
      }
      log.accept(
          "plan: "
              + plan.positions()
              + " conversations, "
              + plan.totalRows()
              + " rows"
              + (plan.invalidRecords() > 0
                  ? ", " + plan.invalidRecords() + " invalid records skipped"
                  : "")
              + (plan.normalization().droppedRoles().isEmpty()
                  ? ""
                  : ", dropped turns by role " + plan.normalization().droppedRoles()));

      checkOutput(hash, null);
      StorageCheck storage =
          storageCheck(plan, planner, rows, onePerConversation, layerIds.length, model);
      log.accept(
          (storage.refuses() ? "error: " : storage.warns() ? "warning: " : "")
              + "storage: "
              + storage.message());
      if (storage.refuses()) {
        ObjectNode summary = summary(new ShardStats(), false, storage.message());
        summary.set("storage", storage.toJson());
        summary.put("contentHash", hash);
        return new Result(summary, StorageCheck.EXIT_CODE);
      }
      if (o.preflightOnly()) {
        return new Result(preflightSummary(storage, hash), 0);
      }

      ObjectNode resolved = resolvedInputs(model, sources, probe);
      String resolvedHash = ContentHash.of(resolved);
      checkOutput(hash, resolvedHash);
      claimOutput(hash, resolvedHash, plan.totalRows());

      SamplePlan.ShardRange range = plan.shard(o.shard(), o.shards());
      log.accept(
          label
              + ": rows ["
              + range.from()
              + ", "
              + range.to()
              + ") of "
              + plan.totalRows()
              + ", content hash "
              + hash);
      Map<Integer, Conversation> conversations =
          range.size() == 0
              ? Map.of()
              : planner.conversations(
                  plan, plan.positionOf(range.from()), plan.positionOf(range.to() - 1) + 1);
      removeLeftovers(range);

      ShardStats stats = new ShardStats();
      String abort;
      try (HiddenStateSource states = openStates(client, served, model);
          Progress progress = new Progress(stats, range.size(), label, o.progressInterval(), log)) {
        abort =
            generate(
                range,
                plan,
                conversations,
                rows,
                onePerConversation,
                states,
                layerIds,
                model.hiddenSize(),
                stats);
        progress.report();
        DatasetMerger.Merged merged = null;
        if (abort == null) {
          writeShardFiles(hash, range, stats);
          DataConfig.Description description =
              new DataConfig.Description(
                  String.join(" ", o.commandLine()),
                  BuildInfo.version(),
                  vllmVersion,
                  gpu(),
                  o.model(),
                  model.revision(),
                  o.tensorParallelSize(),
                  model.hiddenSize(),
                  model.numHiddenLayers(),
                  o.data().stream().map(DataSpec::text).toList(),
                  o.sequenceLength(),
                  o.maxSamples(),
                  o.seed(),
                  o.turnDropout(),
                  layerIds,
                  deps.hub() == null ? null : deps.hub().cacheDir().toString(),
                  o.engine().name().toLowerCase(java.util.Locale.ROOT),
                  renderer.description(),
                  states.description(),
                  onePerConversation,
                  plan.totalRows(),
                  o.shards(),
                  hash,
                  identity.toJson(),
                  resolvedHash,
                  resolved,
                  storage.neededBytes());
          merged =
              new DatasetMerger(layout)
                  .mergeIfComplete(
                      o.shards(), hash, plan.totalRows(), m -> DataConfig.build(description, m));
          log.accept(
              merged == null
                  ? label
                      + " done; waiting for the other shards to finish before the dataset metadata is merged"
                  : label
                      + " done; all "
                      + o.shards()
                      + " shards finished, merged "
                      + merged.samples()
                      + " samples into "
                      + layout.root());
        } else {
          log.accept(label + " stopped: " + abort);
        }
        ObjectNode summary = summary(stats, merged != null, abort);
        // what the operator copies into the dataset's status (resolved defaults never go to spec)
        ArrayNode ids = summary.putArray("layerIds");
        for (int id : layerIds) {
          ids.add(id);
        }
        summary.put("hiddenSize", model.hiddenSize());
        summary.put("contentHash", hash);
        summary.put("estimatedBytes", storage.neededBytes());
        return new Result(summary, abort == null ? 0 : 1);
      }
    }
  }

  /** What a {@code --preflight} run reports: the storage verdict (null: none was possible). */
  private ObjectNode preflightSummary(StorageCheck storage, String hash) {
    ObjectNode s = JSON.createObjectNode();
    s.put("kind", "datagen-preflight");
    s.put("contentHash", hash);
    if (storage != null) {
      s.set("storage", storage.toJson());
    }
    return s;
  }

  /**
   * Measures the mean sample length on the first rows of the plan (a seeded shuffle, so a random
   * sample) and compares the dataset's estimated size with the free space of its volume plus what
   * is already written there. Without a measurable row the sequence-length cap stands in, and the
   * estimate is an upper bound.
   */
  private StorageCheck storageCheck(
      SamplePlan plan,
      SamplePlanner planner,
      ChatRowBuilder rows,
      boolean onePerConversation,
      int layers,
      TargetModel model)
      throws IOException, InterruptedException {
    int k = Math.min(plan.positions(), MEASURED_CONVERSATIONS);
    Map<Integer, Conversation> sample = k == 0 ? Map.of() : planner.conversations(plan, 0, k);
    long tried = 0;
    long kept = 0;
    long tokens = 0;
    for (int pos = 0; pos < k; pos++) {
      Conversation c = sample.get(pos);
      if (c == null) {
        continue;
      }
      for (int ordinal = 0; ordinal < plan.rows(pos); ordinal++) {
        tried++;
        try {
          TokenRow r = rows.row(c, ordinal, onePerConversation);
          if (r.maskedTokens() > 0) {
            kept++;
            tokens += r.length();
          }
        } catch (TemplateRenderException | UnstableBoundaryException | IllegalArgumentException e) {
          // a row the worker will skip or count as failed: it takes no space
        }
      }
    }
    boolean measured = kept > 0;
    long samples =
        measured ? (long) Math.ceil((double) plan.totalRows() * kept / tried) : plan.totalRows();
    DatasetSize size =
        new DatasetSize(
            samples,
            measured ? (double) tokens / kept : o.sequenceLength(),
            layers,
            model.hiddenSize(),
            measured);
    long written = StorageCheck.bytesUnder(layout.dataDir());
    long available = deps.freeSpace().applyAsLong(o.output()) + written;
    return new StorageCheck(
        "the dataset",
        size.bytes(),
        available,
        !measured,
        size.describe(),
        "its volume (free space plus the " + StorageCheck.human(written) + " already written)");
  }

  /** The usable bytes of the file system holding {@code path} (or its nearest existing parent). */
  static long usableSpace(Path path) {
    Path p = path.toAbsolutePath();
    while (p != null && !Files.exists(p)) {
      p = p.getParent();
    }
    try {
      return p == null ? Long.MAX_VALUE : Files.getFileStore(p).getUsableSpace();
    } catch (IOException e) {
      return Long.MAX_VALUE;
    }
  }

  private boolean needsServer() {
    return o.engine() == DatagenOptions.Engine.VLLM
        || o.effectiveRenderer() == DatagenOptions.Renderer.VLLM;
  }

  private void checkLayerIds(int[] ids, TargetModel model) {
    int n = model.numHiddenLayers();
    for (int id : ids) {
      if (id > n) {
        throw new IllegalArgumentException(
            "--layer-ids: id "
                + id
                + " exceeds the model's "
                + n
                + " layers (valid: 0.."
                + n
                + ", "
                + n
                + " = final layer)");
      }
    }
    if (ids[ids.length - 1] != n) {
      log.accept(
          "warning: the last layer id is "
              + ids[ids.length - 1]
              + ", not the final layer "
              + n
              + "; training uses the last entry as the verifier's final hidden state");
    }
  }

  private ChatRenderer openRenderer(VllmClient client, String served, TargetModel model)
      throws IOException {
    if (o.effectiveRenderer() == DatagenOptions.Renderer.VLLM && !o.preflightOnly()) {
      return new VllmTokenizeRenderer(client, served, o.chatTemplateKwargs());
    }
    return TemplateTokenizerRenderer.open(model.dir(), o.chatTemplateKwargs());
  }

  private HiddenStateSource openStates(VllmClient client, String served, TargetModel model)
      throws IOException {
    if (o.engine() == DatagenOptions.Engine.VLLM) {
      int stale =
          VllmHiddenStateSource.removeStale(o.hiddenStatesDir(), o.lockTimeout().multipliedBy(2));
      if (stale > 0) {
        log.accept(
            "removed " + stale + " stale hidden-state staging files from " + o.hiddenStatesDir());
      }
      return new VllmHiddenStateSource(
          client, served, o.hiddenStatesDir(), o.lockTimeout().toMillis());
    }
    if (deps.referenceEngine() == null) {
      throw new IOException("--engine reference: this build has no in-process reference engine");
    }
    return deps.referenceEngine().open(model, o);
  }

  /**
   * Token ids of the probe renderings: a fingerprint of the template and tokenizer actually used.
   */
  private static String probeFingerprint(ChatRenderer renderer)
      throws IOException, InterruptedException {
    List<Long> all = new ArrayList<>();
    int turns = ChatRowBuilder.PROBE.messages().size();
    for (int n = 1; n <= turns; n++) {
      boolean addGenerationPrompt = !ChatRowBuilder.PROBE.messages().get(n - 1).isAssistant();
      for (long id : renderer.render(ChatRowBuilder.PROBE.prefix(n), addGenerationPrompt)) {
        all.add(id);
      }
      all.add(-1L);
    }
    return ContentHash.sha256(all.stream().mapToLong(Long::longValue).toArray());
  }

  private List<Source> resolveSources() throws IOException {
    SourceResolver resolver = new SourceResolver(deps.hubDatasets());
    List<Source> out = new ArrayList<>();
    for (DataSpec spec : o.data()) {
      out.add(resolver.resolve(spec));
    }
    return out;
  }

  /**
   * What the request resolved to, as far as it can only be seen by reading: the model's revision
   * (the commit of a branch, or a digest of a local config), the tokenizer's and chat template's
   * digests, a fingerprint of actual renderings, the source files' names and sizes. Stored next to
   * the content hash; a resume checks it, so that a branch that moved never mixes into existing
   * files.
   */
  private ObjectNode resolvedInputs(TargetModel model, List<Source> sources, String probe)
      throws IOException {
    ObjectNode in = JSON.createObjectNode();
    in.put("target_model_revision", model.revision());
    Path tokenizer = model.tokenizerJson();
    in.put(
        "tokenizer_sha256", Files.isRegularFile(tokenizer) ? ContentHash.sha256(tokenizer) : null);
    String template = null;
    try {
      template = TokenizerConfig.read(model.dir()).chatTemplate();
    } catch (IOException e) {
      // a model without a local template: the rendering fingerprint below still pins what was used
    }
    in.put("chat_template_sha256", template == null ? null : ContentHash.sha256(template));
    in.put("render_fingerprint_sha256", probe);
    ArrayNode src = in.putArray("sources");
    for (Source s : sources) {
      ObjectNode n = src.addObject();
      n.put("spec", specIdentity(s.spec()));
      ArrayNode files = n.putArray("files");
      for (Path p : s.paths()) {
        ObjectNode f = files.addObject();
        f.put("name", p.getFileName().toString());
        f.put("size", Files.size(p));
      }
    }
    return in;
  }

  /**
   * A spec without machine-specific paths: local sources are identified by their files (names,
   * sizes).
   */
  private static String specIdentity(DataSpec spec) {
    return switch (spec.kind()) {
      case LOCAL -> "local";
      case PRESET -> spec.name() + "@" + spec.revision();
      case HUB ->
          spec.repo() + (spec.file() == null ? "" : ":" + spec.file()) + "@" + spec.revision();
    };
  }

  /**
   * Checks that the output directory holds nothing from other inputs: an earlier run's {@code
   * data_config.json} or {@code shards/plan.json} must have the same content hash and, when {@code
   * resolvedHash} is given, the same resolved inputs. Other inputs must never be mixed into
   * existing files.
   */
  private void checkOutput(String hash, String resolvedHash) throws IOException {
    Path plan = layout.planFile();
    for (Path f : List.of(layout.dataConfig(), plan)) {
      if (!Files.exists(f)) {
        continue;
      }
      var root = JSON.readTree(f.toFile());
      var ours = f.equals(plan) ? root : root.path("speculators_operator");
      String existing = ours.path("content_hash").asText(null);
      if (existing != null && !existing.equals(hash)) {
        throw new IOException(differentDataset(f, existing, hash));
      }
      String resolved = ours.path("resolved_inputs_hash").asText(null);
      if (resolvedHash != null && resolved != null && !resolved.equals(resolvedHash)) {
        throw new IOException(
            "--output "
                + o.output()
                + " holds a dataset of the same request that resolved to other inputs ("
                + f
                + ": resolved inputs "
                + resolved
                + "; this run: "
                + resolvedHash
                + ", e.g. a revision that is a branch moved, or a source file changed). Use"
                + " another --output, or delete that directory to start over.");
      }
    }
  }

  /** Records the plan in {@code shards/plan.json} unless an earlier run did. */
  private void claimOutput(String hash, String resolvedHash, long totalRows) throws IOException {
    Path plan = layout.planFile();
    if (Files.exists(plan)) {
      return;
    }
    ObjectNode p = JSON.createObjectNode();
    p.put("content_hash", hash);
    p.put("resolved_inputs_hash", resolvedHash);
    p.put("rows", totalRows);
    AtomicFiles.writeString(
        plan, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(p) + "\n");
  }

  private String differentDataset(Path where, String existing, String hash) {
    return "--output "
        + o.output()
        + " already holds a dataset from other inputs ("
        + where
        + ": content hash "
        + existing
        + "; this run: "
        + hash
        + "). Use another --output, or delete that directory to start over.";
  }

  /** Deletes temporary files of interrupted writes of this shard's rows (never another shard's). */
  private void removeLeftovers(SamplePlan.ShardRange range) throws IOException {
    if (!Files.isDirectory(layout.dataDir())) {
      return;
    }
    List<Path> stale;
    try (Stream<Path> s = Files.list(layout.dataDir())) {
      stale =
          s.filter(AtomicFiles::isTemporary)
              .filter(p -> range.contains(DatagenLayout.rowOf(p)))
              .toList();
    }
    for (Path p : stale) {
      Files.deleteIfExists(p);
    }
    if (!stale.isEmpty()) {
      log.accept("removed " + stale.size() + " leftover temporary files of interrupted writes");
    }
  }

  /**
   * @return null when every row was processed, else why the shard stopped
   */
  private String generate(
      SamplePlan.ShardRange range,
      SamplePlan plan,
      Map<Integer, Conversation> conversations,
      ChatRowBuilder rows,
      boolean onePerConversation,
      HiddenStateSource states,
      int[] layerIds,
      int hiddenSize,
      ShardStats stats)
      throws InterruptedException {
    AtomicInteger consecutive = new AtomicInteger();
    AtomicReference<String> abort = new AtomicReference<>();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            o.concurrency(),
            r -> {
              Thread t = new Thread(r, "datagen-row");
              t.setDaemon(true);
              return t;
            });
    Semaphore slots = new Semaphore(o.concurrency() * 2);
    try {
      for (long row = range.from(); row < range.to() && abort.get() == null; row++) {
        slots.acquire();
        final long r = row;
        pool.execute(
            () -> {
              try {
                processRow(
                    r,
                    plan,
                    conversations,
                    rows,
                    onePerConversation,
                    states,
                    layerIds,
                    hiddenSize,
                    stats,
                    consecutive,
                    abort);
              } finally {
                slots.release();
              }
            });
      }
    } finally {
      pool.shutdown();
      while (!pool.awaitTermination(1, TimeUnit.SECONDS)) {
        // rows in flight finish (or fail) on their own timeouts
      }
    }
    return abort.get();
  }

  private void processRow(
      long row,
      SamplePlan plan,
      Map<Integer, Conversation> conversations,
      ChatRowBuilder rows,
      boolean onePerConversation,
      HiddenStateSource states,
      int[] layerIds,
      int hiddenSize,
      ShardStats stats,
      AtomicInteger consecutive,
      AtomicReference<String> abort) {
    int pos = plan.positionOf(row);
    int ordinal = (int) (row - plan.firstRow(pos));
    String where =
        "row "
            + row
            + " ("
            + plan.sourceStats().get(plan.source(pos)).spec()
            + " record "
            + plan.record(pos)
            + (plan.rows(pos) > 1 ? ", assistant turn " + ordinal : "")
            + ")";
    Conversation conv = conversations.get(pos);
    String error = null;
    for (int attempt = 0; ; attempt++) {
      if (abort.get() != null) {
        return; // the shard is stopping: leave the row for the next run
      }
      try {
        if (conv == null) {
          throw new GenerationException(
              "its record could not be read back from the source", false, null);
        }
        TokenRow tokens;
        try {
          tokens = rows.row(conv, ordinal, onePerConversation);
        } catch (UnstableBoundaryException e) {
          log.accept(where + " skipped: " + e.getMessage());
          stats.empty(row);
          consecutive.set(0);
          return;
        }
        if (tokens.maskedTokens() == 0) {
          stats.empty(row);
          consecutive.set(0);
          return;
        }
        Path file = layout.sample(row);
        if (Files.exists(file)) {
          String invalid = SampleStore.invalidReason(file, tokens, layerIds.length, hiddenSize);
          if (invalid == null) {
            stats.sample(row, tokens, false, 0);
            consecutive.set(0);
            return;
          }
          log.accept(
              where
                  + ": existing "
                  + file.getFileName()
                  + " is "
                  + invalid
                  + "; generating it again");
        }
        List<HostTensor> layers = states.prefill(tokens.inputIds(), layerIds);
        checkLayers(layers, tokens.length(), layerIds.length, hiddenSize);
        long bytes = SampleStore.write(file, tokens, layers);
        stats.sample(row, tokens, true, bytes);
        consecutive.set(0);
        return;
      } catch (GenerationException e) {
        error = e.getMessage();
        if (e.retryable() && attempt < o.maxRetries()) {
          stats.retries.incrementAndGet();
          if (!backoff(attempt, where, error)) {
            return;
          }
          continue;
        }
      } catch (TemplateRenderException e) {
        error = e.getMessage();
      } catch (IOException | RuntimeException e) {
        error = e.toString();
        if (attempt < o.maxRetries()) {
          stats.retries.incrementAndGet();
          if (!backoff(attempt, where, error)) {
            return;
          }
          continue;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        abort.compareAndSet(null, "interrupted");
        return;
      }
      break;
    }
    stats.failed(row, error);
    log.accept(where + " failed: " + error);
    int n = consecutive.incrementAndGet();
    if (n >= o.maxConsecutiveFailures()) {
      abort.compareAndSet(
          null,
          n
              + " consecutive rows failed (--max-consecutive-failures "
              + o.maxConsecutiveFailures()
              + "); last error: "
              + error);
    }
  }

  /**
   * Sleeps before retry {@code attempt + 1}: {@code backoff · 2^attempt}. @return false when
   * interrupted
   */
  private boolean backoff(int attempt, String where, String error) {
    long ms = o.retryBackoff().toMillis() << Math.min(attempt, 16);
    log.accept(
        where
            + ": "
            + error
            + "; retry "
            + (attempt + 1)
            + "/"
            + o.maxRetries()
            + " in "
            + ms
            + " ms");
    try {
      Thread.sleep(ms);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void checkLayers(List<HostTensor> layers, int s, int l, int h)
      throws GenerationException {
    if (layers.size() != l) {
      throw new GenerationException(
          "the engine returned " + layers.size() + " hidden-state tensors, expected " + l,
          false,
          null);
    }
    for (HostTensor t : layers) {
      if (t.rank() != 2 || t.dim(0) != s || t.dim(1) != h) {
        throw new GenerationException(
            "hidden states of shape "
                + java.util.Arrays.toString(t.shape())
                + ", expected ["
                + s
                + ", "
                + h
                + "] (hidden_size of the model's config.json)",
            false,
            null);
      }
    }
  }

  private void writeShardFiles(String hash, SamplePlan.ShardRange range, ShardStats stats)
      throws IOException {
    TokenFrequencies.write(
        layout.shardTokenFrequencies(o.shard(), o.shards()), stats.tokenFrequencies());
    new ShardMarker(
            hash,
            o.shard(),
            o.shards(),
            range.from(),
            range.to(),
            stats.written.get() + stats.resumed.get(),
            stats.tokens.get(),
            stats.maskedTokens.get(),
            stats.emptyRows(),
            stats.failures(),
            stats.lengths())
        .write(layout.shardMarker(o.shard(), o.shards()));
  }

  private String gpu() {
    if (o.gpuName() != null && !o.gpuName().isBlank()) {
      return o.gpuName();
    }
    return o.engine() == DatagenOptions.Engine.REFERENCE ? "CPU only" : null;
  }

  private ObjectNode summary(ShardStats stats, boolean merged, String abort) {
    ObjectNode s = JSON.createObjectNode();
    s.put("kind", "datagen");
    s.put("shard", o.shard());
    s.put("shards", o.shards());
    s.put("samples", stats.written.get() + stats.resumed.get());
    s.put("failedSamples", stats.failed.get());
    s.put("tokens", stats.tokens.get());
    s.put("bytes", stats.bytes.get());
    s.put("skipped", stats.resumed.get());
    s.put("emptyRows", stats.empty.get());
    s.put("retries", stats.retries.get());
    s.put("merged", merged);
    if (abort != null) {
      s.put("error", abort.length() > 1000 ? abort.substring(0, 1000) + "..." : abort);
    }
    return s;
  }
}
