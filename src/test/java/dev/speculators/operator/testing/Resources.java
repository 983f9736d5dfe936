package dev.speculators.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.speculators.api.validation.ResourceDocuments;
import dev.speculators.api.validation.ResourceValidator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Resources as a cluster would store them: admitted and defaulted with the CRDs (schema, defaults,
 * CEL) before they reach the mock API server, which checks none of that.
 */
public final class Resources {
  private static final ResourceValidator VALIDATOR = ResourceValidator.fromClasspath();

  private Resources() {}

  /** The documents of a YAML text, admitted. */
  public static List<JsonNode> admitted(String yaml) {
    try {
      List<JsonNode> out = new ArrayList<>();
      for (ResourceDocuments.Document d : ResourceDocuments.read("test", yaml)) {
        out.add(VALIDATOR.admitCreate(d.node()).orThrow());
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The documents of a file, admitted. */
  public static List<JsonNode> admittedFile(Path file) {
    try {
      List<JsonNode> out = new ArrayList<>();
      for (ResourceDocuments.Document d : ResourceDocuments.read(file)) {
        out.add(VALIDATOR.admitCreate(d.node()).orThrow());
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One admitted document as a typed resource in {@code namespace}. */
  public static <T extends HasMetadata> T as(
      KubernetesClient client, JsonNode node, Class<T> type, String namespace) {
    T r = client.getKubernetesSerialization().convertValue(node, type);
    r.getMetadata().setNamespace(namespace);
    return r;
  }

  private static final io.fabric8.kubernetes.client.utils.KubernetesSerialization SERIALIZATION =
      new io.fabric8.kubernetes.client.utils.KubernetesSerialization();

  /** Admits {@code yaml} (one document) and returns it typed, in {@code namespace}, with a uid. */
  public static <T extends HasMetadata> T parse(String yaml, Class<T> type, String namespace) {
    T r = SERIALIZATION.convertValue(admitted(yaml).get(0), type);
    r.getMetadata().setNamespace(namespace);
    r.getMetadata().setUid("uid-" + r.getMetadata().getName());
    r.getMetadata().setGeneration(1L);
    return r;
  }

  /** Admits {@code yaml} (one document) and creates it in {@code namespace}. */
  public static <T extends HasMetadata> T create(
      KubernetesClient client, String yaml, Class<T> type, String namespace) {
    return client.resource(as(client, admitted(yaml).get(0), type, namespace)).create();
  }
}
