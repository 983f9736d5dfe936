package dev.speculators.datagen;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.datagen.source.DataSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a hidden-state dataset contains, as named in its request: the target model and revision, the
 * sources (with their revisions, splits, caps and turn dropout), the sequence length, the requested
 * layer ids, the sample cap, the seed, the engine and renderer, the chat-template arguments. Its
 * {@link #hash() hash} is the dataset's {@code content_hash}: {@code datagen} computes it from its
 * options and writes it to {@code data_config.json}, the operator computes it from a resource's
 * spec before it launches anything, and a dataset with the same hash is reused instead of generated
 * again.
 *
 * <p>Everything here is known before any file is read, so both sides can compute it. Files on
 * volumes are named by their volume, not by where a pod mounts it ({@link VolumeNames}). What can
 * only be seen by reading (the commit a branch resolved to, the tokenizer's and chat template's
 * digests, the source files' sizes) is recorded next to the hash in {@code data_config.json} and
 * checked when a shard resumes, but is not part of the identity: a revision that is a branch names
 * whatever that branch holds, so pin a commit where reuse must be exact.
 *
 * @param engine {@code vllm} or {@code reference}
 * @param renderer where token ids come from: {@code vllm} or {@code reference}
 * @param model the target model
 * @param sources the conversation sources, in order
 * @param sequenceLength tokens per sample at most
 * @param layerIds the requested layer ids, or null for the model's default
 * @param maxSamples the overall conversation cap, or null
 * @param seed the sampling seed
 * @param chatTemplateKwargs extra chat-template arguments (empty: none)
 */
public record DatasetIdentity(
    String engine,
    String renderer,
    Model model,
    List<Source> sources,
    int sequenceLength,
    List<Integer> layerIds,
    Long maxSamples,
    long seed,
    Map<String, Object> chatTemplateKwargs) {

  /**
   * Version of the sample format and of how rows are built from conversations: a change that makes
   * the same request produce other samples bumps it, so older datasets are not reused for it.
   */
  public static final String FORMAT = "speculators-data-v1/rows-1";

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The target model: a Hub repository at a revision, or a directory named by {@link VolumeNames}.
   *
   * @param hub the Hub repository id, or null
   * @param revision the requested Hub revision ({@code main} when none was given), or null
   * @param path the directory's name, or null
   */
  public record Model(String hub, String revision, String path) {
    public static Model ofHub(String id, String revision) {
      return new Model(id, revision == null || revision.isBlank() ? "main" : revision, null);
    }

    public static Model ofPath(String name) {
      return new Model(null, null, name);
    }
  }

  /**
   * One conversation source.
   *
   * @param preset a preset name, or null
   * @param hub a Hub dataset {@code org/name[:file]}, or null
   * @param path a file or directory named by {@link VolumeNames}, or null
   * @param revision the requested Hub revision of a preset or Hub dataset, or null
   * @param split the requested split, or null for the default
   * @param maxSamples the source's conversation cap, or null
   * @param turnDropout whether turn dropout applies to it
   */
  public record Source(
      String preset,
      String hub,
      String path,
      String revision,
      String split,
      Long maxSamples,
      boolean turnDropout) {}

  public DatasetIdentity {
    sources = List.copyOf(sources);
    layerIds = layerIds == null ? null : List.copyOf(layerIds);
    chatTemplateKwargs = chatTemplateKwargs == null ? Map.of() : new TreeMap<>(chatTemplateKwargs);
  }

  /**
   * The identity of what a {@code datagen} run with {@code o} generates. Local paths (the model
   * directory, source files) are named through {@code names}.
   */
  public static DatasetIdentity of(DatagenOptions o, VolumeNames names) {
    Path local = Path.of(o.model());
    Model model =
        Files.isDirectory(local)
            ? Model.ofPath(names.name(local))
            : Model.ofHub(o.model(), o.modelRevision());
    List<Source> sources = new ArrayList<>();
    for (DataSpec d : o.data()) {
      boolean dropout = d.turnDropoutOr(o.turnDropout());
      sources.add(
          switch (d.kind()) {
            case PRESET ->
                new Source(d.name(), null, null, d.revision(), d.split(), d.maxSamples(), dropout);
            case HUB ->
                new Source(null, d.name(), null, d.revision(), d.split(), d.maxSamples(), dropout);
            case LOCAL ->
                new Source(null, null, names.name(d.path()), null, null, d.maxSamples(), dropout);
          });
    }
    List<Integer> ids = null;
    if (o.layerIds() != null) {
      ids = new ArrayList<>();
      for (int id : o.layerIds()) {
        ids.add(id);
      }
    }
    return new DatasetIdentity(
        o.engine().name().toLowerCase(Locale.ROOT),
        o.effectiveRenderer().name().toLowerCase(Locale.ROOT),
        model,
        sources,
        o.sequenceLength(),
        ids,
        o.maxSamples(),
        o.seed(),
        o.chatTemplateKwargs());
  }

  /** The canonical JSON the hash is computed over (stored as {@code content_inputs}). */
  public ObjectNode toJson() {
    ObjectNode in = JSON.createObjectNode();
    in.put("format", FORMAT);
    in.put("engine", engine);
    in.put("renderer", renderer);
    ObjectNode m = in.putObject("target_model");
    putOrNull(m, "hub", model.hub());
    putOrNull(m, "revision", model.revision());
    putOrNull(m, "path", model.path());
    ArrayNode src = in.putArray("sources");
    for (Source s : sources) {
      ObjectNode n = src.addObject();
      putOrNull(n, "preset", s.preset());
      putOrNull(n, "hub", s.hub());
      putOrNull(n, "path", s.path());
      putOrNull(n, "revision", s.revision());
      putOrNull(n, "split", s.split());
      if (s.maxSamples() == null) {
        n.putNull("max_samples");
      } else {
        n.put("max_samples", s.maxSamples());
      }
      n.put("turn_dropout", s.turnDropout());
    }
    in.put("sequence_length", sequenceLength);
    if (layerIds == null) {
      in.putNull("layer_ids");
    } else {
      ArrayNode ids = in.putArray("layer_ids");
      layerIds.forEach(ids::add);
    }
    if (maxSamples == null) {
      in.putNull("max_samples");
    } else {
      in.put("max_samples", maxSamples);
    }
    in.put("seed", seed);
    in.set("chat_template_kwargs", JSON.valueToTree(chatTemplateKwargs));
    return in;
  }

  /** {@code sha256:<hex>} of the canonical JSON: the dataset's content hash. */
  public String hash() {
    return ContentHash.of(toJson());
  }

  /**
   * A hash of what decides the length of a sample (model, sources, sequence length, renderer and
   * template arguments), without what only selects or widens samples (seed, caps, layer ids): two
   * datasets with the same token key have the same mean tokens per sample, so a finished one tells
   * the storage pre-flight of the other how long its samples are.
   */
  public String tokenKey() {
    ObjectNode in = toJson();
    in.remove("seed");
    in.remove("max_samples");
    in.remove("layer_ids");
    in.remove("engine");
    return ContentHash.of(in);
  }

  private static void putOrNull(ObjectNode n, String key, String value) {
    if (value == null) {
      n.putNull(key);
    } else {
      n.put(key, value);
    }
  }

  /**
   * Names of mounted volumes, so that a path is named the same wherever it is mounted: a path under
   * a named directory is {@code <name>/<rest>}, any other path is its normalised absolute form. The
   * operator names the volumes of a data-generation pod {@code pvc:<claim>} ({@code
   * pvc:<claim>/<subPath>} for a mount of a sub-directory) and passes them to {@code datagen
   * --volume-name DIR=NAME}.
   */
  public static final class VolumeNames {
    private final List<Map.Entry<Path, String>> mounts;

    private VolumeNames(List<Map.Entry<Path, String>> mounts) {
      this.mounts = mounts;
    }

    /** No named volumes: every path is its absolute form. */
    public static VolumeNames none() {
      return new VolumeNames(List.of());
    }

    /** {@code directory → name}. */
    public static VolumeNames of(Map<String, String> names) {
      List<Map.Entry<Path, String>> m = new ArrayList<>();
      names.forEach(
          (dir, name) -> {
            if (name == null || name.isBlank()) {
              throw new IllegalArgumentException("--volume-name " + dir + "=: empty name");
            }
            m.add(Map.entry(Path.of(dir).toAbsolutePath().normalize(), trimSlashes(name)));
          });
      // the longest directory wins
      m.sort(
          Comparator.comparingInt((Map.Entry<Path, String> e) -> e.getKey().getNameCount())
              .reversed());
      return new VolumeNames(List.copyOf(m));
    }

    /** The name of {@code path}. */
    public String name(Path path) {
      Path p = path.toAbsolutePath().normalize();
      for (Map.Entry<Path, String> e : mounts) {
        if (p.startsWith(e.getKey())) {
          Path rest = e.getKey().relativize(p);
          String r = rest.toString().replace('\\', '/');
          return r.isEmpty() ? e.getValue() : e.getValue() + "/" + r;
        }
      }
      return p.toString().replace('\\', '/');
    }

    private static String trimSlashes(String s) {
      String t = s;
      while (t.endsWith("/")) {
        t = t.substring(0, t.length() - 1);
      }
      return t;
    }
  }
}
