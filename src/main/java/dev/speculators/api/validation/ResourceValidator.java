package dev.speculators.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Admits resources the way the Kubernetes API server admits custom resources, using the CRDs of
 * this product (or any others):
 *
 * <ol>
 *   <li>{@code apiVersion} and {@code kind} must name a served version of a known CRD;
 *   <li>{@code metadata}: a valid name (or generateName on create); name and namespace are
 *       immutable on update;
 *   <li>{@code status} is ignored like with a status subresource: dropped on create, kept from the
 *       old object on update;
 *   <li>fields the schema does not declare are rejected (strict field validation, as kubectl asks);
 *   <li>structural defaulting ({@code default:}), so callers see the object a cluster would store;
 *   <li>the OpenAPI v3 schema of the served version (types, required, enums, ranges, lengths,
 *       patterns, item counts);
 *   <li>every {@code x-kubernetes-validations} CEL rule, transition rules only on update. As in the
 *       API server, rules are not evaluated when the object has the wrong types or enum values.
 * </ol>
 *
 * Instances are immutable and thread-safe.
 */
public final class ResourceValidator {
  private static final String CLASSPATH_CRDS = "crds/";
  private static final ObjectMapper YAML = new YAMLMapper();
  private static volatile ResourceValidator classpathInstance;

  private final CrdCatalog catalog;

  private ResourceValidator(CrdCatalog catalog) {
    this.catalog = catalog;
  }

  /** A validator for the given CRD documents. CEL rules are compiled here. */
  public static ResourceValidator of(List<JsonNode> crds) {
    return new ResourceValidator(new CrdCatalog(crds));
  }

  /** A validator for the CRDs shipped in the jar ({@code crds/} listed by its kustomization). */
  public static ResourceValidator fromClasspath() {
    ResourceValidator v = classpathInstance;
    if (v == null) {
      synchronized (ResourceValidator.class) {
        v = classpathInstance;
        if (v == null) {
          v = of(loadClasspathCrds());
          classpathInstance = v;
        }
      }
    }
    return v;
  }

  /** A validator for the CRD files listed by {@code kustomization.yaml} in a directory. */
  public static ResourceValidator fromDirectory(Path dir) {
    List<JsonNode> crds = new ArrayList<>();
    for (String file : kustomizationResources(readYaml(dir.resolve("kustomization.yaml")))) {
      crds.add(readYaml(dir.resolve(file)));
    }
    return of(crds);
  }

  /** Admits a new resource. */
  public AdmissionResult admitCreate(JsonNode resource) {
    return admit(resource, null);
  }

  /** Admits a change of {@code old} (as stored) to {@code resource}. */
  public AdmissionResult admitUpdate(JsonNode old, JsonNode resource) {
    if (old == null) {
      throw new IllegalArgumentException("admitUpdate needs the old object");
    }
    return admit(resource, old);
  }

  /** {@code Kind (apiVersion)} of every kind this validator knows. */
  public Set<String> knownKinds() {
    return catalog.describe();
  }

  /** Number of CEL rules compiled from the CRDs. */
  public int ruleCount() {
    return catalog.ruleCount();
  }

  private AdmissionResult admit(JsonNode input, JsonNode oldInput) {
    List<FieldError> errors = new ArrayList<>();
    if (input == null || !input.isObject()) {
      errors.add(
          FieldError.of(
              "", FieldErrorType.TYPE_INVALID, input, "a resource must be a YAML or JSON object"));
      return new AdmissionResult("<unknown>", null, errors);
    }
    ObjectNode object = ((ObjectNode) input).deepCopy();
    String apiVersion = object.path("apiVersion").asText("");
    String kind = object.path("kind").asText("");
    String resource =
        (kind.isEmpty() ? "<unknown kind>" : kind)
            + "/"
            + object.path("metadata").path("name").asText("<unnamed>");
    if (apiVersion.isEmpty()) {
      errors.add(new FieldError("apiVersion", FieldErrorType.REQUIRED, null, null));
    }
    if (kind.isEmpty()) {
      errors.add(new FieldError("kind", FieldErrorType.REQUIRED, null, null));
    }
    if (!errors.isEmpty()) {
      return new AdmissionResult(resource, object, errors);
    }
    Optional<ServedKind> served = catalog.find(apiVersion, kind);
    if (served.isEmpty()) {
      errors.add(
          new FieldError(
              "kind",
              FieldErrorType.NOT_SUPPORTED,
              FieldError.quote(kind),
              "no matches for kind "
                  + FieldError.quote(kind)
                  + " in version "
                  + FieldError.quote(apiVersion)
                  + "; known kinds: "
                  + String.join(", ", catalog.describe())));
      return new AdmissionResult(resource, object, errors);
    }
    ServedKind sk = served.get();
    ObjectNode old = null;
    if (oldInput != null) {
      if (!oldInput.isObject()
          || !apiVersion.equals(oldInput.path("apiVersion").asText())
          || !kind.equals(oldInput.path("kind").asText())) {
        errors.add(
            new FieldError(
                "kind",
                FieldErrorType.INVALID,
                FieldError.quote(kind),
                "the old object is not a " + kind + " of " + apiVersion));
        return new AdmissionResult(resource, object, errors);
      }
      old = ((ObjectNode) oldInput).deepCopy();
      Defaulter.apply(sk.schema, old);
    }

    ObjectMetaChecks.check(object, old, errors);
    if (sk.statusSubresource) {
      object.remove("status");
      if (old != null && old.has("status")) {
        object.set("status", old.get("status").deepCopy());
      }
    }
    UnknownFields.check(sk.schema, object, errors);
    Defaulter.apply(sk.schema, object);
    errors.addAll(sk.openApi.validate(object));
    if (errors.stream().anyMatch(e -> e.type().blocksCel())) {
      errors.add(
          new FieldError(
              "",
              FieldErrorType.INTERNAL,
              null,
              "some validation rules were not checked because the object was invalid; correct the"
                  + " existing errors to complete validation"));
    } else {
      errors.addAll(sk.cel.evaluate(object, old));
    }
    return new AdmissionResult(resource, object, errors);
  }

  private static List<JsonNode> loadClasspathCrds() {
    ClassLoader cl = ResourceValidator.class.getClassLoader();
    JsonNode kustomization = readClasspathYaml(cl, CLASSPATH_CRDS + "kustomization.yaml");
    List<JsonNode> crds = new ArrayList<>();
    for (String file : kustomizationResources(kustomization)) {
      crds.add(readClasspathYaml(cl, CLASSPATH_CRDS + file));
    }
    return crds;
  }

  private static List<String> kustomizationResources(JsonNode kustomization) {
    List<String> files = new ArrayList<>();
    kustomization.path("resources").forEach(r -> files.add(r.asText()));
    if (files.isEmpty()) {
      throw new IllegalStateException("kustomization.yaml lists no CRD resources");
    }
    return files;
  }

  private static JsonNode readClasspathYaml(ClassLoader cl, String name) {
    try (InputStream in = cl.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(
            "missing classpath resource " + name + " (the build copies crds/ into the jar)");
      }
      return YAML.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read classpath resource " + name, e);
    }
  }

  private static JsonNode readYaml(Path file) {
    try {
      return YAML.readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
