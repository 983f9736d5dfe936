package dev.speculators.install;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.api.validation.ResourceDocuments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders a kustomization the way {@code kubectl apply -k} does, for the subset of kustomize this
 * repository uses, so that tests see the objects a cluster would receive. Supported: {@code
 * resources} (files and directories, recursively, within the kustomization root as kustomize's
 * default load restriction demands), {@code patches} with a strategic-merge-patch file matched by
 * kind, name and namespace, {@code namespace}, {@code labels} (metadata only, kustomize's default)
 * and {@code images}. Any other field fails the render, so that a kustomization never renders
 * differently here than with kustomize without a test noticing.
 *
 * <p>Strategic merge here merges maps recursively and lists of named objects (containers, env,
 * volumes, volume mounts) by name; other lists are replaced.
 */
final class Kustomize {
  private static final Set<String> SUPPORTED =
      Set.of("apiVersion", "kind", "resources", "patches", "namespace", "labels", "images");
  private static final Set<String> CLUSTER_SCOPED =
      Set.of(
          "Namespace",
          "ClusterRole",
          "ClusterRoleBinding",
          "CustomResourceDefinition",
          "PersistentVolume",
          "StorageClass",
          "PriorityClass");

  private Kustomize() {}

  /** The objects {@code kubectl apply -k dir} would send. */
  static List<ObjectNode> render(Path dir) throws IOException {
    Path root = dir.toAbsolutePath().normalize();
    Path file = root.resolve("kustomization.yaml");
    if (!Files.exists(file)) {
      throw new IllegalArgumentException(dir + ": no kustomization.yaml");
    }
    JsonNode k = ResourceDocuments.read(file).get(0).node();
    for (Iterator<String> it = k.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!SUPPORTED.contains(field)) {
        throw new UnsupportedOperationException(
            file + ": field '" + field + "' is not rendered by this test");
      }
    }
    if (!"Kustomization".equals(k.path("kind").asText())) {
      throw new IllegalArgumentException(file + ": kind must be Kustomization");
    }
    List<ObjectNode> objects = new ArrayList<>();
    for (JsonNode r : k.path("resources")) {
      Path p = root.resolve(r.asText()).normalize();
      if (Files.isDirectory(p)) {
        objects.addAll(render(p));
      } else {
        if (!p.startsWith(root)) {
          throw new IllegalArgumentException(
              file
                  + ": "
                  + r.asText()
                  + " is outside the kustomization root (kustomize refuses files there; list a directory)");
        }
        for (ResourceDocuments.Document d : ResourceDocuments.read(p)) {
          objects.add((ObjectNode) d.node().deepCopy());
        }
      }
    }
    for (JsonNode patch : k.path("patches")) {
      if (!patch.has("path") || patch.size() != 1) {
        throw new UnsupportedOperationException(
            file + ": only `patches: - path: FILE` is rendered here");
      }
      for (ResourceDocuments.Document d :
          ResourceDocuments.read(root.resolve(patch.get("path").asText()))) {
        ObjectNode target =
            objects.stream()
                .filter(o -> sameObject(o, d.node()))
                .findFirst()
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            file
                                + ": patch "
                                + patch.get("path").asText()
                                + " matches no resource"));
        merge(target, d.node());
      }
    }
    if (k.hasNonNull("namespace")) {
      for (ObjectNode o : objects) {
        if (!CLUSTER_SCOPED.contains(o.path("kind").asText())) {
          ((ObjectNode) o.with("metadata")).put("namespace", k.get("namespace").asText());
        }
      }
    }
    for (JsonNode labels : k.path("labels")) {
      if (labels.path("includeSelectors").asBoolean()
          || labels.path("includeTemplates").asBoolean()) {
        throw new UnsupportedOperationException(file + ": labels with selectors or templates");
      }
      for (ObjectNode o : objects) {
        ObjectNode meta = (ObjectNode) o.with("metadata");
        labels
            .path("pairs")
            .fields()
            .forEachRemaining(
                e -> ((ObjectNode) meta.with("labels")).set(e.getKey(), e.getValue()));
      }
    }
    for (JsonNode image : k.path("images")) {
      for (ObjectNode o : objects) {
        rewriteImages(o, image);
      }
    }
    Set<String> ids = new HashSet<>();
    for (ObjectNode o : objects) {
      String id =
          o.path("apiVersion").asText()
              + "/"
              + o.path("kind").asText()
              + "/"
              + o.path("metadata").path("namespace").asText()
              + "/"
              + o.path("metadata").path("name").asText();
      if (!ids.add(id)) {
        throw new IllegalArgumentException(
            file + ": " + id + " appears twice (kustomize refuses duplicates)");
      }
    }
    return objects;
  }

  private static boolean sameObject(JsonNode a, JsonNode b) {
    return a.path("kind").asText().equals(b.path("kind").asText())
        && a.path("metadata").path("name").asText().equals(b.path("metadata").path("name").asText())
        && (!b.path("metadata").has("namespace")
            || a.path("metadata")
                .path("namespace")
                .asText()
                .equals(b.path("metadata").path("namespace").asText()));
  }

  /** Strategic merge of {@code patch} into {@code target}. */
  static void merge(ObjectNode target, JsonNode patch) {
    patch
        .fields()
        .forEachRemaining(
            e -> {
              JsonNode current = target.get(e.getKey());
              JsonNode value = e.getValue();
              if (value.isNull()) {
                target.remove(e.getKey());
              } else if (current instanceof ObjectNode co && value.isObject()) {
                merge(co, value);
              } else if (current instanceof ArrayNode ca
                  && value.isArray()
                  && named(ca)
                  && named(value)) {
                for (JsonNode item : value) {
                  ObjectNode match = null;
                  for (JsonNode c : ca) {
                    if (c.path("name").asText().equals(item.path("name").asText())) {
                      match = (ObjectNode) c;
                    }
                  }
                  if (match == null) {
                    ca.add(item.deepCopy());
                  } else {
                    merge(match, item);
                  }
                }
              } else {
                target.set(e.getKey(), value.deepCopy());
              }
            });
  }

  private static boolean named(JsonNode list) {
    for (JsonNode item : list) {
      if (!item.isObject() || !item.hasNonNull("name")) {
        return false;
      }
    }
    return true;
  }

  /**
   * kustomize's image transformer: every container image named {@code image.name} gets the new
   * name/tag.
   */
  private static void rewriteImages(JsonNode node, JsonNode image) {
    if (node.isObject()) {
      for (String list : List.of("containers", "initContainers")) {
        for (JsonNode c : node.path(list)) {
          if (c.isObject() && c.path("image").isTextual()) {
            String ref = c.get("image").asText();
            String name = imageName(ref);
            if (name.equals(image.path("name").asText())) {
              String newName = image.path("newName").asText(name);
              String tag =
                  image.hasNonNull("digest")
                      ? "@" + image.get("digest").asText()
                      : ":"
                          + image
                              .path("newTag")
                              .asText(
                                  ref.length() > name.length()
                                      ? ref.substring(name.length() + 1)
                                      : "latest");
              ((ObjectNode) c).put("image", newName + tag);
            }
          }
        }
      }
      for (Map.Entry<String, JsonNode> e : iterable(node.fields())) {
        rewriteImages(e.getValue(), image);
      }
    } else if (node.isArray()) {
      node.forEach(n -> rewriteImages(n, image));
    }
  }

  static String imageName(String ref) {
    int at = ref.indexOf('@');
    String withoutDigest = at < 0 ? ref : ref.substring(0, at);
    int colon = withoutDigest.lastIndexOf(':');
    return colon > withoutDigest.lastIndexOf('/')
        ? withoutDigest.substring(0, colon)
        : withoutDigest;
  }

  private static <T> Iterable<T> iterable(Iterator<T> it) {
    List<T> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }
}
