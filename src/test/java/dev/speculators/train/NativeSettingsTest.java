package dev.speculators.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;

/** The switches the trainer sets in native code reach the libraries they are meant for. */
class NativeSettingsTest {

  @Test
  void tf32IsSetInTheLibtorchDjlLoaded() {
    Engine.getEngine("PyTorch");
    boolean before = CudaMatmul.tf32Allowed();
    try {
      CudaMatmul.allowTf32(true);
      assertThat(CudaMatmul.tf32Allowed()).isTrue();
      CudaMatmul.allowTf32(false);
      assertThat(CudaMatmul.tf32Allowed()).isFalse();
    } finally {
      CudaMatmul.allowTf32(before);
    }
  }

  @Test
  void glibcTakesTheMmapThreshold() {
    assertThat(GlibcMalloc.returnLargeBlocksToTheSystem())
        .isEqualTo("malloc: blocks >= 1024 KiB are unmapped when freed");
  }
}
