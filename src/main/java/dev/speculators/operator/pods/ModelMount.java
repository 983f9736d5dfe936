package dev.speculators.operator.pods;

import dev.speculators.api.common.ModelSource;
import dev.speculators.api.common.SecretKeyRef;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.ArrayList;
import java.util.List;

/**
 * How a pod reaches the target model: a Hugging Face id (downloaded by vLLM and the workers, the
 * token only through {@code secretKeyRef}), a directory on a PVC (mounted read-only at {@value
 * Volumes#TARGET_MODEL_PATH}), or a path already in the image.
 *
 * @param argument what the containers are given as the model (id or directory)
 * @param revision the Hub revision, or null
 * @param displayName the model's name for the trainer's exported config (id, sub path or path)
 * @param volume the PVC volume, or null
 * @param mount its read-only mount, or null
 * @param tokenSecret the Secret key with the Hub token, or null
 * @param sizeBytes the weights' size on disk ({@code targetModel.size}), or null when not given
 */
public record ModelMount(
    String argument,
    String revision,
    String displayName,
    Volume volume,
    VolumeMount mount,
    SecretKeyRef tokenSecret,
    Long sizeBytes) {

  /** Name of the environment variable with the Hub token. */
  public static final String TOKEN_ENV = "HF_TOKEN";

  /** The mount of {@code source}. */
  public static ModelMount of(ModelSource source) {
    if (source == null) {
      throw new IllegalArgumentException("no target model: set targetModel");
    }
    if (source.hfId != null) {
      return new ModelMount(
          source.hfId,
          source.revision,
          source.hfId,
          null,
          null,
          source.tokenSecretRef,
          ContainerResources.toBytes(source.size));
    }
    if (source.pvc != null) {
      String sub = source.pvc.subPath;
      return new ModelMount(
          Volumes.TARGET_MODEL_PATH,
          null,
          sub == null || sub.isEmpty() ? source.pvc.claimName : sub,
          Volumes.claim(Volumes.TARGET_MODEL, source.pvc.claimName, true),
          Volumes.mount(Volumes.TARGET_MODEL, Volumes.TARGET_MODEL_PATH, sub, true),
          null,
          ContainerResources.toBytes(source.size));
    }
    if (source.path != null) {
      return new ModelMount(
          source.path,
          null,
          source.path,
          null,
          null,
          null,
          ContainerResources.toBytes(source.size));
    }
    throw new IllegalArgumentException("targetModel: exactly one of hfId, pvc or path must be set");
  }

  /** The token variable ({@value #TOKEN_ENV} from the Secret), if a token is configured. */
  public List<EnvVar> tokenEnv() {
    List<EnvVar> env = new ArrayList<>();
    if (tokenSecret != null) {
      env.add(
          new EnvVarBuilder()
              .withName(TOKEN_ENV)
              .withNewValueFrom()
              .withNewSecretKeyRef()
              .withName(tokenSecret.name)
              .withKey(tokenSecret.key == null ? "token" : tokenSecret.key)
              .endSecretKeyRef()
              .endValueFrom()
              .build());
    }
    return env;
  }
}
