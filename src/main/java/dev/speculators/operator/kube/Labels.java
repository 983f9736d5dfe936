package dev.speculators.operator.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Labels and annotations on everything the operator creates. Informers select children by {@link
 * #MANAGED_BY} and {@link #OWNER_KIND}; the owner's name travels in an annotation ({@link
 * #OWNER_NAME}) because resource names may be longer than a label value.
 */
public final class Labels {
  /** Standard label: who manages the object. */
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";

  /** Value of {@link #MANAGED_BY}. */
  public static final String OPERATOR = "speculators-operator";

  /** Standard label: the application. */
  public static final String NAME = "app.kubernetes.io/name";

  /** Standard label: the role of the object (datagen, train, eval, storage, ...). */
  public static final String COMPONENT = "app.kubernetes.io/component";

  /** Standard label: the owning resource's name, when it fits in a label value. */
  public static final String INSTANCE = "app.kubernetes.io/instance";

  /** Kind of the owning resource (HiddenStateDataset, SpeculatorTraining, SpeculatorEval). */
  public static final String OWNER_KIND = "speculators.dev/owner-kind";

  /** Annotation: name of the owning resource (same namespace). */
  public static final String OWNER_NAME = "speculators.dev/owner-name";

  /** Kueue's queue label. */
  public static final String KUEUE_QUEUE = "kueue.x-k8s.io/queue-name";

  private static final Pattern LABEL_VALUE =
      Pattern.compile("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$");

  private Labels() {}

  /** The labels of a child of {@code owner} with the given role. */
  public static Map<String, String> of(HasMetadata owner, String component) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(NAME, "speculators");
    labels.put(MANAGED_BY, OPERATOR);
    labels.put(COMPONENT, component);
    labels.put(OWNER_KIND, owner.getKind());
    String name = owner.getMetadata().getName();
    if (name.length() <= 63 && LABEL_VALUE.matcher(name).matches()) {
      labels.put(INSTANCE, name);
    }
    return labels;
  }

  /** The annotations of a child of {@code owner}. */
  public static Map<String, String> annotations(HasMetadata owner) {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(OWNER_NAME, owner.getMetadata().getName());
    return annotations;
  }

  /** Label selector of the children of one kind of owner. */
  public static String selector(String ownerKind) {
    return MANAGED_BY + "=" + OPERATOR + "," + OWNER_KIND + "=" + ownerKind;
  }

  /** True when {@code child} carries the marks of a child of {@code owner}. */
  public static boolean isChildOf(HasMetadata child, HasMetadata owner) {
    Map<String, String> labels = child.getMetadata().getLabels();
    Map<String, String> annotations = child.getMetadata().getAnnotations();
    return labels != null
        && annotations != null
        && OPERATOR.equals(labels.get(MANAGED_BY))
        && owner.getKind().equals(labels.get(OWNER_KIND))
        && owner.getMetadata().getName().equals(annotations.get(OWNER_NAME));
  }
}
