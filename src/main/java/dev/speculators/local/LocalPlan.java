package dev.speculators.local;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.api.EvalSettings;
import dev.speculators.api.HiddenStateDataset;
import dev.speculators.api.HiddenStateDatasetSpec;
import dev.speculators.api.SpeculatorEval;
import dev.speculators.api.SpeculatorEvalSpec;
import dev.speculators.api.SpeculatorTraining;
import dev.speculators.api.SpeculatorTrainingSpec;
import dev.speculators.api.common.Engine;
import dev.speculators.api.common.ModelSource;
import dev.speculators.api.validation.AdmissionResult;
import dev.speculators.api.validation.ResourceDocuments;
import dev.speculators.api.validation.ResourceValidator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The steps a resource file asks for, in order: each resource admitted exactly as a cluster would
 * admit it (schema, CEL rules, defaults from {@code crds/}), checked for what a local run needs
 * ({@code engine: reference}, references to resources earlier in the file, distinct output
 * directories), and expanded like the operator expands them: a training's dataset {@code template}
 * becomes a HiddenStateDataset named {@code <training>-dataset} before it, its {@code evaluation} a
 * SpeculatorEval named {@code <training>-eval} after it.
 */
public final class LocalPlan {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** One unit of work. */
  public sealed interface Step permits DatasetStep, TrainingStep, EvalStep {
    String name();

    /** Where it comes from, for messages: {@code file (document 2, line 14)}. */
    String location();

    Path dir();
  }

  /** Generate a hidden-state dataset. */
  public record DatasetStep(String name, String location, HiddenStateDatasetSpec spec, Path dir)
      implements Step {}

  /**
   * Train a speculator.
   *
   * @param dataset the dataset step it trains on (null for {@code dataset.path})
   * @param datasetDir the dataset's directory
   * @param targetModel the target model (the dataset's, or the training's own for a path)
   */
  public record TrainingStep(
      String name,
      String location,
      SpeculatorTrainingSpec spec,
      DatasetStep dataset,
      Path datasetDir,
      ModelSource targetModel,
      Path dir)
      implements Step {}

  /**
   * Evaluate a speculator.
   *
   * @param training the training whose {@code final/} is evaluated, or null for a speculator path
   * @param speculatorDir the speculator directory
   */
  public record EvalStep(
      String name,
      String location,
      EvalSettings spec,
      ModelSource targetModel,
      TrainingStep training,
      Path speculatorDir,
      Path dir)
      implements Step {}

  private final Path file;
  private final List<Step> steps;

  private LocalPlan(Path file, List<Step> steps) {
    this.file = file;
    this.steps = List.copyOf(steps);
  }

  public Path file() {
    return file;
  }

  public List<Step> steps() {
    return steps;
  }

  /** Reads, admits and expands the resources of {@code file}. */
  public static LocalPlan read(Path file, LocalVolumes volumes)
      throws InvalidResourcesException, IOException {
    List<ResourceDocuments.Document> docs = ResourceDocuments.read(file);
    if (docs.isEmpty()) {
      throw new InvalidResourcesException(file + ": no resources");
    }
    ResourceValidator validator = ResourceValidator.fromClasspath();
    List<String> problems = new ArrayList<>();
    List<ObjectNode> admitted = new ArrayList<>();
    for (ResourceDocuments.Document d : docs) {
      AdmissionResult r = validator.admitCreate(d.node());
      if (!r.allowed()) {
        StringBuilder b =
            new StringBuilder(d.location())
                .append(": ")
                .append(r.resource())
                .append(" is invalid:");
        r.errors().forEach(e -> b.append("\n    ").append(e));
        problems.add(b.toString());
      }
      admitted.add(r.object());
    }
    if (!problems.isEmpty()) {
      throw new InvalidResourcesException(String.join("\n", problems));
    }
    Builder b = new Builder(volumes);
    for (int i = 0; i < docs.size(); i++) {
      b.add(docs.get(i), admitted.get(i), problems);
    }
    b.checkDistinctDirectories(problems);
    if (!problems.isEmpty()) {
      throw new InvalidResourcesException(String.join("\n", problems));
    }
    return new LocalPlan(file, b.steps);
  }

  private static final class Builder {
    private final LocalVolumes volumes;
    private final List<Step> steps = new ArrayList<>();
    private final Map<String, DatasetStep> datasets = new HashMap<>();
    private final Map<String, TrainingStep> trainings = new HashMap<>();

    Builder(LocalVolumes volumes) {
      this.volumes = volumes;
    }

    void add(ResourceDocuments.Document d, ObjectNode object, List<String> problems)
        throws IOException {
      String kind = object.path("kind").asText();
      String name = object.path("metadata").path("name").asText();
      String where = d.location() + ": " + kind + "/" + name;
      switch (kind) {
        case "HiddenStateDataset" -> {
          HiddenStateDatasetSpec spec =
              MAPPER.treeToValue(object, HiddenStateDataset.class).getSpec();
          if (!engine(spec.engine, where, "spec.engine", problems)) {
            return;
          }
          if (datasets.containsKey(name)) {
            problems.add(where + ": a HiddenStateDataset of that name is already defined");
            return;
          }
          DatasetStep step =
              new DatasetStep(name, d.location(), spec, volumes.storage(spec.storage, name));
          datasets.put(name, step);
          steps.add(step);
        }
        case "SpeculatorTraining" ->
            training(
                d,
                name,
                where,
                MAPPER.treeToValue(object, SpeculatorTraining.class).getSpec(),
                problems);
        case "SpeculatorEval" -> {
          SpeculatorEvalSpec spec = MAPPER.treeToValue(object, SpeculatorEval.class).getSpec();
          eval(d.location(), name, where, spec, spec.targetModel, spec, problems);
        }
        default -> problems.add(where + ": kind " + kind + " cannot run locally");
      }
    }

    private void training(
        ResourceDocuments.Document d,
        String name,
        String where,
        SpeculatorTrainingSpec spec,
        List<String> problems) {
      if (!engine(spec.engine, where, "spec.engine", problems)) {
        return;
      }
      if (trainings.containsKey(name)) {
        problems.add(where + ": a SpeculatorTraining of that name is already defined");
        return;
      }
      DatasetStep dataset = null;
      Path datasetDir;
      ModelSource target;
      if (spec.dataset.ref != null) {
        dataset = datasets.get(spec.dataset.ref.name);
        if (dataset == null) {
          problems.add(
              where
                  + ": spec.dataset.ref: HiddenStateDataset '"
                  + spec.dataset.ref.name
                  + "' is not defined before it in this file");
          return;
        }
        datasetDir = dataset.dir();
        target = dataset.spec().targetModel;
      } else if (spec.dataset.template != null) {
        String datasetName = name + "-dataset";
        if (!engine(
            spec.dataset.template.engine, where, "spec.dataset.template.engine", problems)) {
          return;
        }
        dataset =
            new DatasetStep(
                datasetName,
                d.location(),
                spec.dataset.template,
                volumes.storage(spec.dataset.template.storage, datasetName));
        steps.add(dataset);
        datasetDir = dataset.dir();
        target = dataset.spec().targetModel;
      } else {
        datasetDir = volumes.path(spec.dataset.path);
        target = spec.targetModel;
      }
      TrainingStep step =
          new TrainingStep(
              name,
              d.location(),
              spec,
              dataset,
              datasetDir,
              target,
              volumes.storage(spec.storage, name));
      trainings.put(name, step);
      steps.add(step);
      if (spec.evaluation != null) {
        if (!engine(spec.evaluation.engine, where, "spec.evaluation.engine", problems)) {
          return;
        }
        String evalName = name + "-eval";
        steps.add(
            new EvalStep(
                evalName,
                d.location(),
                spec.evaluation,
                target,
                step,
                step.dir().resolve("final"),
                volumes.storage(spec.evaluation.storage, evalName)));
      }
    }

    private void eval(
        String location,
        String name,
        String where,
        EvalSettings settings,
        ModelSource target,
        SpeculatorEvalSpec spec,
        List<String> problems) {
      if (!engine(settings.engine, where, "spec.engine", problems)) {
        return;
      }
      if (settings.preset != null) {
        problems.add(
            where + ": spec.preset names a published vLLM evaluation; it needs engine vllm");
        return;
      }
      TrainingStep training = null;
      Path speculator;
      if (spec.speculator.trainingRef != null) {
        training = trainings.get(spec.speculator.trainingRef.name);
        if (training == null) {
          problems.add(
              where
                  + ": spec.speculator.trainingRef: SpeculatorTraining '"
                  + spec.speculator.trainingRef.name
                  + "' is not defined before it in this file");
          return;
        }
        speculator = training.dir().resolve("final");
        if (target == null) {
          target = training.targetModel();
        }
      } else if (spec.speculator.path != null) {
        speculator = volumes.path(spec.speculator.path);
      } else {
        problems.add(
            where
                + ": spec.speculator.hfId: the reference engine evaluates local speculators"
                + " (trainingRef or path)");
        return;
      }
      steps.add(
          new EvalStep(
              name,
              location,
              settings,
              target,
              training,
              speculator,
              volumes.storage(settings.storage, name)));
    }

    private static boolean engine(
        Engine engine, String where, String field, List<String> problems) {
      if (engine != Engine.REFERENCE) {
        problems.add(
            where
                + ": "
                + field
                + " is '"
                + (engine == null ? "vllm" : engine.name().toLowerCase(java.util.Locale.ROOT))
                + "'; run executes resources locally on CPU and needs engine: reference (vllm needs a cluster with GPUs)");
        return false;
      }
      return true;
    }

    void checkDistinctDirectories(List<String> problems) {
      Map<Path, Step> seen = new LinkedHashMap<>();
      for (Step s : steps) {
        Step other = seen.putIfAbsent(s.dir(), s);
        if (other != null) {
          problems.add(
              s.location()
                  + ": "
                  + s.name()
                  + " would write into "
                  + s.dir()
                  + ", like "
                  + other.name()
                  + " ("
                  + other.location()
                  + "); give them distinct names or storage");
        }
      }
    }
  }
}
