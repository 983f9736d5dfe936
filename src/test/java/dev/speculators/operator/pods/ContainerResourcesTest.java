package dev.speculators.operator.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The default requests and limits, computed from what each container holds. */
class ContainerResourcesTest {

  private static long bytes(Quantity q) {
    return Quantity.getAmountInBytes(q).longValue();
  }

  @Test
  void vllmGrowsWithTheWeightsAndTheTensorParallelWorkers() {
    // a 70B model in bf16 (140 GB on disk) on 4 GPUs with a 16Gi /dev/shm
    ResourceRequirements r = ContainerResources.vllm(140_000_000_000L, 4, new Quantity("16Gi"));
    assertThat(r.getRequests().get("cpu")).isEqualTo(new Quantity("10"));
    long memory = bytes(r.getRequests().get("memory"));
    assertThat(memory).isEqualTo(roundUpMib(140_000_000_000L + 5 * (4L << 30)));
    assertThat(bytes(r.getLimits().get("memory")) - memory).isEqualTo(16L << 30);

    ResourceRequirements unknown = ContainerResources.vllm(null, 1, new Quantity("16Gi"));
    assertThat(unknown.getRequests().get("memory")).isEqualTo(new Quantity("24Gi"));
    assertThat(unknown.getRequests().get("cpu")).isEqualTo(new Quantity("4"));
  }

  private static long roundUpMib(long b) {
    return (b + (1 << 20) - 1) / (1 << 20) * (1 << 20);
  }

  @Test
  void theTrainerHoldsItsPackedRowsAndTheVerifierTensors() {
    // Llama 3.1 8B: H 4096, 4 captured layers, V 128256, rows of 8192 tokens
    ResourceRequirements r =
        ContainerResources.trainer(new ContainerResources.TrainerShape(4096, 4, 128256, 8192));
    long row = 8192L * 4096 * 4 * 4; // 512 MiB
    long verifier = 2L * 128256 * 4096 * 2;
    long expected = (6L << 30) + 3 * row + verifier;
    assertThat(bytes(r.getRequests().get("memory"))).isEqualTo(roundUpMib(expected));
    assertThat(bytes(r.getLimits().get("memory"))).isEqualTo(roundUpMib(2 * expected));
    assertThat(r.getRequests().get("cpu")).isEqualTo(new Quantity("4"));

    // a 70B verifier's rows are twice as wide
    ResourceRequirements wide =
        ContainerResources.trainer(new ContainerResources.TrainerShape(8192, 4, 128256, 8192));
    assertThat(bytes(wide.getRequests().get("memory")))
        .isGreaterThan(bytes(r.getRequests().get("memory")) + 3 * row);
  }

  @Test
  void datagenRequestsLittleAndIsLimitedByWhatItCanHoldInFlight() {
    ResourceRequirements r = ContainerResources.datagen(32, 8192, 4);
    assertThat(r.getRequests())
        .containsEntry("cpu", new Quantity("1"))
        .containsEntry("memory", new Quantity("2Gi"));
    long inFlight = 2L * 32 * 8192 * 4 * 8192 * 2;
    assertThat(bytes(r.getLimits().get("memory")))
        .isEqualTo(roundUpMib((long) Math.ceil(((2L << 30) + inFlight) / 0.7)));
    assertThat(bytes(ContainerResources.datagen(4, 2048, 4).getLimits().get("memory")))
        .isLessThan(bytes(r.getLimits().get("memory")));
  }

  @Test
  void smallFixedOnesForEvalAndLayerIds() {
    assertThat(ContainerResources.eval().getRequests())
        .containsEntry("cpu", new Quantity("2"))
        .containsEntry("memory", new Quantity("4Gi"));
    assertThat(ContainerResources.layerIds().getLimits())
        .containsEntry("memory", new Quantity("1Gi"));
    assertThat(ContainerResources.reference().getRequests())
        .containsEntry("cpu", new Quantity("500m"))
        .containsEntry("memory", new Quantity("1Gi"));
    assertThat(ContainerResources.reference().getLimits()).isNullOrEmpty();
  }

  @Test
  void userValuesWinOverDefaultsGpusComeFromTheWorkloadAndRequestsStayWithinLimits() {
    ResourceRequirements operator =
        new ResourceRequirementsBuilder()
            .withRequests(
                Map.of(
                    "cpu", new Quantity("6"),
                    "memory", new Quantity("28Gi"),
                    "nvidia.com/gpu", new Quantity("2")))
            .withLimits(Map.of("memory", new Quantity("44Gi"), "nvidia.com/gpu", new Quantity("2")))
            .build();
    ResourceRequirements user =
        new ResourceRequirementsBuilder()
            .withRequests(Map.of("cpu", new Quantity("3"), "nvidia.com/gpu", new Quantity("8")))
            .withLimits(Map.of("memory", new Quantity("20Gi")))
            .build();
    ResourceRequirements merged = PodCustomizer.mergeResources(operator, user);
    assertThat(merged.getRequests())
        .containsEntry("cpu", new Quantity("3"))
        .as("a user limit below the default request lowers the request")
        .containsEntry("memory", new Quantity("20Gi"))
        .containsEntry("nvidia.com/gpu", new Quantity("2"));
    assertThat(merged.getLimits())
        .containsEntry("memory", new Quantity("20Gi"))
        .containsEntry("nvidia.com/gpu", new Quantity("2"));

    ResourceRequirements bigger =
        PodCustomizer.mergeResources(
            operator,
            new ResourceRequirementsBuilder()
                .withRequests(Map.of("memory", new Quantity("64Gi")))
                .build());
    assertThat(bigger.getLimits())
        .as("a user request above the default limit raises the limit")
        .containsEntry("memory", new Quantity("64Gi"));
  }
}
