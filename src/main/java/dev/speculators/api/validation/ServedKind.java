package dev.speculators.api.validation;

import com.fasterxml.jackson.databind.JsonNode;

/** One kind in one served version of a CRD, with its compiled schema and rules. */
final class ServedKind {
  final String crdName;
  final String group;
  final String version;
  final String kind;
  final JsonNode schema;
  final boolean statusSubresource;
  final OpenApiSchemaValidator openApi;
  final CelRuleEvaluator cel;

  ServedKind(
      String crdName,
      String group,
      String version,
      String kind,
      JsonNode schema,
      boolean statusSubresource) {
    this.crdName = crdName;
    this.group = group;
    this.version = version;
    this.kind = kind;
    this.schema = schema;
    this.statusSubresource = statusSubresource;
    this.openApi = new OpenApiSchemaValidator(schema);
    this.cel = new CelRuleEvaluator(schema, crdName + "/" + version);
  }

  String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }
}
