package dev.speculators.operator.runtime;

import io.smallrye.config.ConfigMapping;

/**
 * Settings of the operator process, from {@code application.properties} or the environment
 * ({@code SPECULATORS_WORKER_IMAGE}, {@code SPECULATORS_TRAINER_IMAGE},
 * {@code SPECULATORS_EVAL_IMAGE}, {@code SPECULATORS_VLLM_IMAGE}).
 */
@ConfigMapping(prefix = "speculators")
public interface OperatorSettings {

  /** Image of CPU workers (datagen client, reference engine): this application's jar. */
  String workerImage();

  /** Image of the GPU trainer (this application's jar with CUDA libtorch). */
  String trainerImage();

  /** Image of the eval container (GuideLLM and this application's collector). */
  String evalImage();

  /** Default vLLM image; resources may override it in {@code vllm.image}. */
  String vllmImage();
}
