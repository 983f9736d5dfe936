package dev.speculators.operator.pods;

import static dev.speculators.operator.pods.DatagenWorkloadTest.flag;
import static dev.speculators.operator.pods.DatagenWorkloadTest.json;
import static dev.speculators.operator.pods.DatagenWorkloadTest.mountPaths;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.speculators.api.EvalPresets;
import dev.speculators.api.SpeculatorEval;
import dev.speculators.api.SpeculatorEvalSpec;
import dev.speculators.cli.EvalCommand;
import dev.speculators.operator.kube.WorkloadSettings;
import dev.speculators.operator.testing.Resources;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class EvalWorkloadTest {
  private static final WorkloadSettings SETTINGS = WorkloadSettings.defaults();

  static SpeculatorEval eval(String spec) {
    return Resources.parse(
        """
        apiVersion: speculators.dev/v1alpha1
        kind: SpeculatorEval
        metadata: {name: bench}
        spec:
        """
            + spec.indent(2),
        SpeculatorEval.class,
        "team-a");
  }

  static EvalWorkload workload(SpeculatorEval e, EvalWorkload.SpeculatorLocation speculator) {
    SpeculatorEvalSpec resolved = EvalPresets.resolve(e.getSpec());
    return new EvalWorkload(
        e,
        resolved,
        resolved.targetModel,
        speculator,
        StoragePlan.of(e, e.getSpec().storage, "eval-results", "1Gi"),
        SETTINGS);
  }

  @Test
  void aPresetEvalServesTheHubSpeculatorWithABaselineSidecarOnItsOwnGpus() {
    SpeculatorEval e =
        eval(
            """
        preset: qwen3-8b
        numSpeculativeTokens: 5
        baseline: true
        guidellm: {maxSeconds: 600}
        """);
    SpeculatorEvalSpec resolved = EvalPresets.resolve(e.getSpec());
    EvalWorkload w =
        workload(e, EvalWorkload.SpeculatorLocation.hub(resolved.speculator.hfId, null));
    Job job = w.job();
    assertThat(job.getMetadata().getName()).isEqualTo("bench-eval");
    PodSpec pod = job.getSpec().getTemplate().getSpec();
    assertThat(pod.getInitContainers())
        .extracting(Container::getName)
        .containsExactly("vllm", "vllm-baseline");
    Container spec = pod.getInitContainers().get(0);
    Container base = pod.getInitContainers().get(1);
    for (Container v : List.of(spec, base)) {
      assertThat(v.getRestartPolicy()).isEqualTo("Always");
      assertThat(v.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("1"));
      assertThat(v.getArgs().subList(0, 2)).containsExactly("vllm", "Qwen/Qwen3-8B");
      assertThat(v.getSecurityContext().getRunAsUser()).isEqualTo(SETTINGS.evalUserId());
      assertThat(flag(v.getArgs(), "--seed")).isEqualTo("42");
      assertThat(flag(v.getArgs(), "--max-model-len")).isEqualTo("24000");
      assertThat(flag(v.getArgs(), "--gpu-memory-utilization")).isEqualTo("0.85");
      assertThat(mountPaths(v)).contains("/dev/shm");
    }
    assertThat(flag(spec.getArgs(), "--port")).isEqualTo("8000");
    assertThat(flag(base.getArgs(), "--port")).isEqualTo("8001");
    assertThat(base.getStartupProbe().getHttpGet().getPort().getIntVal()).isEqualTo(8001);
    assertThat(base.getArgs()).doesNotContain("--speculative-config");
    JsonNode sc = json(flag(spec.getArgs(), "--speculative-config"));
    assertThat(sc.get("method").asText()).isEqualTo("eagle3");
    assertThat(sc.get("model").asText()).isEqualTo("RedHatAI/Qwen3-8B-speculator.eagle3");
    assertThat(sc.get("num_speculative_tokens").asInt()).isEqualTo(5);
    assertThat(sc.get("max_model_len").asInt()).isEqualTo(24000);

    Container c = pod.getContainers().get(0);
    assertThat(c.getName()).isEqualTo("eval");
    assertThat(c.getImage()).isEqualTo(SETTINGS.evalImage());
    assertThat(c.getSecurityContext().getRunAsUser()).isEqualTo(1001L);
    assertThat(c.getResources()).isEqualTo(ContainerResources.eval());
    List<String> a = c.getArgs();
    assertThat(a.get(0)).isEqualTo("eval");
    assertThat(flag(a, "--endpoint")).isEqualTo("http://127.0.0.1:8000");
    assertThat(flag(a, "--baseline-endpoint")).isEqualTo("http://127.0.0.1:8001");
    assertThat(flag(a, "--model")).isEqualTo("Qwen/Qwen3-8B");
    assertThat(flag(a, "--data")).isEqualTo(EvalPresets.MATH_REASONING);
    assertThat(flag(a, "--output")).isEqualTo("/results/bench");
    assertThat(flag(a, "--profile")).isEqualTo("throughput");
    assertThat(flag(a, "--max-seconds")).isEqualTo("600");
    assertThat(flag(a, "--temperature")).isEqualTo("0.6");
    assertThat(flag(a, "--top-p")).isEqualTo("0.95");
    assertThat(flag(a, "--top-k")).isEqualTo("20");
    assertThat(w.benchmarks()).isEqualTo(2);
  }

  @Test
  void aTrainedSpeculatorIsMountedReadOnlyFromTheTrainingsFinalDirectory() {
    SpeculatorEval e =
        eval(
            """
        speculator: {trainingRef: {name: eagle}}
        targetModel: {hfId: org/target, tokenSecretRef: {name: tok, key: hf}}
        datasets: ['prompt_tokens=128,output_tokens=64', org/ds:f.jsonl]
        guidellm: {profile: concurrent, rate: [1, 4]}
        vllm: {tensorParallelSize: 2, maxModelLen: 4096}
        """);
    EvalWorkload w =
        workload(e, EvalWorkload.SpeculatorLocation.volume("eagle-speculator", "eagle/final"));
    PodSpec pod = w.job().getSpec().getTemplate().getSpec();
    Container vllm = pod.getInitContainers().get(0);
    assertThat(pod.getInitContainers()).hasSize(1);
    assertThat(vllm.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("2"));
    assertThat(vllm.getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getMountPath()).isEqualTo("/speculator");
              assertThat(m.getSubPath()).isEqualTo("eagle/final");
              assertThat(m.getReadOnly()).isTrue();
            });
    assertThat(json(flag(vllm.getArgs(), "--speculative-config")).get("model").asText())
        .isEqualTo("/speculator");
    assertThat(vllm.getEnv())
        .anySatisfy(
            v -> {
              assertThat(v.getName()).isEqualTo("HF_TOKEN");
              assertThat(v.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("hf");
            });
    List<String> a = pod.getContainers().get(0).getArgs();
    assertThat(a)
        .containsSequence(
            "--data", "prompt_tokens=128,output_tokens=64", "--data", "org/ds:f.jsonl");
    assertThat(flag(a, "--profile")).isEqualTo("concurrent");
    assertThat(flag(a, "--rate")).isEqualTo("1,4");
    assertThat(a).doesNotContain("--baseline-endpoint");
    assertThat(pod.getVolumes())
        .anySatisfy(
            v -> {
              assertThat(v.getName()).isEqualTo("speculator");
              assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("eagle-speculator");
            });
  }

  @Test
  void theReferenceEngineSimulatesOnTheCpuWithoutSidecars() {
    SpeculatorEval e =
        eval(
            """
        engine: reference
        speculator: {path: {path: speculators/tiny}}
        targetModel: {path: /models/tiny}
        datasets: [prompts.jsonl]
        numSpeculativeTokens: 2
        guidellm: {maxRequests: 8}
        """);
    EvalWorkload w =
        workload(
            e, EvalWorkload.SpeculatorLocation.volume("bench-eval-results", "speculators/tiny"));
    PodSpec pod = w.job().getSpec().getTemplate().getSpec();
    assertThat(pod.getInitContainers()).isEmpty();
    Container c = pod.getContainers().get(0);
    assertThat(c.getImage()).isEqualTo(SETTINGS.workerImage());
    assertThat(c.getArgs())
        .containsExactly(
            "eval",
            "--engine",
            "reference",
            "--target-model",
            "/models/tiny",
            "--speculator",
            "/speculator",
            "--data",
            "prompts.jsonl",
            "--output",
            "/results/bench",
            "--num-speculative-tokens",
            "2",
            "--max-requests",
            "8",
            "--untrained-baseline");
    assertThat(mountPaths(c)).contains("/speculator", "/results");
  }

  @Test
  void thePromptColumnAndTokenizerReachTheEvalCommandAsItsOwnFlags() {
    SpeculatorEval e =
        eval(
            """
        speculator: {hfId: org/spec}
        targetModel: {hfId: org/target}
        datasets: [org/ds:data/questions.csv]
        guidellm: {textColumn: user question, processor: org/tokenizer}
        """);
    CommandLine.ParseResult parsed =
        parsedEvalArgs(workload(e, EvalWorkload.SpeculatorLocation.hub("org/spec", null)));
    assertThat(parsed.matchedOptionValue("--text-column", "")).isEqualTo("user question");
    assertThat(parsed.matchedOptionValue("--processor", "")).isEqualTo("org/tokenizer");
  }

  @Test
  void theReferenceEngineReadsTheNamedPromptColumnAndHasNoTokenizerToSet() {
    SpeculatorEval e =
        eval(
            """
        engine: reference
        speculator: {path: {path: speculators/tiny}}
        targetModel: {path: /models/tiny}
        datasets: [prompts.jsonl]
        guidellm: {textColumn: question, processor: org/tokenizer}
        """);
    CommandLine.ParseResult parsed =
        parsedEvalArgs(
            workload(
                e,
                EvalWorkload.SpeculatorLocation.volume("bench-eval-results", "speculators/tiny")));
    assertThat(parsed.matchedOptionValue("--text-column", "")).isEqualTo("question");
    assertThat(parsed.hasMatchedOption("--processor")).isFalse();
  }

  /** The eval container's arguments as the real {@code eval} command parses them. */
  private static CommandLine.ParseResult parsedEvalArgs(EvalWorkload w) {
    List<String> args = w.job().getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();
    assertThat(args.get(0)).isEqualTo("eval");
    return new CommandLine(new EvalCommand())
        .parseArgs(args.subList(1, args.size()).toArray(String[]::new));
  }
}
