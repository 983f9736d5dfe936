/**
 * Admission of resources the way the Kubernetes API server admits custom resources: structural
 * checks, defaulting, the OpenAPI v3 schema of the served version and the CEL rules ({@code
 * x-kubernetes-validations}) of the CRDs. Used by tests for every example and by the local {@code
 * run -f} command, which therefore sees exactly the objects a cluster would store.
 */
package dev.speculators.api.validation;
