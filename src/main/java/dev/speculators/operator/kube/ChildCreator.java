package dev.speculators.operator.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import org.jboss.logging.Logger;

/**
 * Creates child objects with plain creates. A child that already exists (409) was created by an
 * earlier reconciliation whose result the informer cache has not shown yet, or by an operator
 * replica before a restart: it is observed on the next reconciliation, never created twice.
 * Children are never updated (a Job's pod template is immutable).
 */
public final class ChildCreator {
  private static final Logger LOG = Logger.getLogger(ChildCreator.class);

  private final KubernetesClient client;

  public ChildCreator(KubernetesClient client) {
    this.client = client;
  }

  /** Creates {@code child}; returns false if it already existed. */
  public boolean create(HasMetadata child) {
    try {
      client.resource(child).create();
      LOG.debugf(
          "created %s %s/%s",
          child.getKind(), child.getMetadata().getNamespace(), child.getMetadata().getName());
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        LOG.debugf(
            "%s %s/%s exists already",
            child.getKind(), child.getMetadata().getNamespace(), child.getMetadata().getName());
        return false;
      }
      throw e;
    }
  }
}
