package dev.speculators.gitops;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.speculators.api.validation.ResourceDocuments;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/**
 * How the tools people deploy with read a resource's health, each applied to a resource as the API
 * server returns it (JSON):
 *
 * <ul>
 *   <li>Argo CD: the Lua health check in {@code gitops/argocd/health.lua}, run in a Lua
 *       interpreter;
 *   <li>kstatus (Flux's default health checks, {@code kubectl wait}-style tooling, kpt): the
 *       generic rules of sigs.k8s.io/cli-utils {@code status.Compute} for a custom resource;
 *   <li>{@code kubectl wait --for=condition=X}: kubectl's condition check, with its observed
 *       generation rule;
 *   <li>Flux with the {@code healthCheckExprs} of {@code gitops/flux/pipelines.yaml}: the CEL
 *       expressions evaluated in Flux's order.
 * </ul>
 */
public final class HealthChecks {
  /** Argo CD's verdict. */
  public record ArgoHealth(String status, String message) {}

  private static final Path LUA = Path.of("gitops", "argocd", "health.lua");
  private static final Path FLUX = Path.of("gitops", "flux", "pipelines.yaml");
  private static final List<String> TOP_LEVEL =
      List.of("apiVersion", "kind", "metadata", "spec", "status");

  private static final Cel CEL =
      CelFactory.standardCelBuilder()
          .setOptions(CelOptions.current().enableHeterogeneousNumericComparisons(true).build())
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addVar("apiVersion", SimpleType.DYN)
          .addVar("kind", SimpleType.DYN)
          .addVar("metadata", SimpleType.DYN)
          .addVar("spec", SimpleType.DYN)
          .addVar("status", SimpleType.DYN)
          .build();

  private HealthChecks() {}

  // -- Argo CD -------------------------------------------------------------------------------

  /** The script of {@code gitops/argocd/health.lua}. */
  public static String argoScript() {
    try {
      return Files.readString(LUA);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs {@code script} as Argo CD runs a health check: {@code obj} is the resource. */
  public static ArgoHealth argo(String script, JsonNode resource) {
    Globals globals = JsePlatform.standardGlobals();
    globals.set("obj", lua(resource));
    LuaValue result = globals.load(script, "health.lua").call();
    LuaValue status = result.get("status");
    LuaValue message = result.get("message");
    return new ArgoHealth(
        status.isnil() ? null : status.tojstring(), message.isnil() ? null : message.tojstring());
  }

  /** The Argo CD health of a resource with the committed script. */
  public static ArgoHealth argo(JsonNode resource) {
    return argo(argoScript(), resource);
  }

  /** JSON as Argo CD hands unstructured objects to Lua: tables, numbers, strings, booleans. */
  static LuaValue lua(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return LuaValue.NIL;
    }
    if (n.isObject()) {
      LuaTable t = new LuaTable();
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isNull()) {
          t.set(e.getKey(), lua(e.getValue()));
        }
      }
      return t;
    }
    if (n.isArray()) {
      LuaTable t = new LuaTable();
      for (int i = 0; i < n.size(); i++) {
        t.set(i + 1, lua(n.get(i)));
      }
      return t;
    }
    if (n.isIntegralNumber()) {
      return LuaValue.valueOf(n.asLong());
    }
    if (n.isNumber()) {
      return LuaValue.valueOf(n.asDouble());
    }
    if (n.isBoolean()) {
      return LuaValue.valueOf(n.asBoolean());
    }
    return LuaValue.valueOf(n.asText());
  }

  // -- kstatus ---------------------------------------------------------------------------------

  /**
   * kstatus' status of a custom resource: Terminating while it is being deleted; InProgress while
   * status.observedGeneration differs from metadata.generation or Reconciling is True; Failed when
   * Stalled is True; Current otherwise (kstatus has no type-specific rules for custom resources).
   */
  public static String kstatus(JsonNode resource) {
    if (!resource.path("metadata").path("deletionTimestamp").asText("").isEmpty()) {
      return "Terminating";
    }
    JsonNode generation = resource.path("metadata").path("generation");
    JsonNode observed = resource.path("status").path("observedGeneration");
    if (generation.isNumber() && observed.isNumber() && observed.asLong() != generation.asLong()) {
      return "InProgress";
    }
    for (JsonNode c : resource.path("status").path("conditions")) {
      if ("Reconciling".equals(c.path("type").asText())
          && "True".equals(c.path("status").asText())) {
        return "InProgress";
      }
      if ("Stalled".equals(c.path("type").asText()) && "True".equals(c.path("status").asText())) {
        return "Failed";
      }
    }
    return "Current";
  }

  // -- kubectl wait ----------------------------------------------------------------------------

  /**
   * Whether {@code kubectl wait --for=condition=TYPE=STATUS} is satisfied: the first condition of
   * the type (case-insensitive) decides, unless its observedGeneration (or the status's) is older
   * than metadata.generation.
   */
  public static boolean kubectlWait(JsonNode resource, String type, String status) {
    for (JsonNode c : resource.path("status").path("conditions")) {
      if (!c.path("type").isTextual()
          || !c.path("type").asText().equalsIgnoreCase(type)
          || !c.path("status").isTextual()) {
        continue;
      }
      JsonNode generation = resource.path("metadata").path("generation");
      if (generation.isNumber()) {
        JsonNode observed =
            c.path("observedGeneration").isNumber()
                ? c.path("observedGeneration")
                : resource.path("status").path("observedGeneration");
        if (observed.isNumber() && observed.asLong() < generation.asLong()) {
          return false;
        }
      }
      return c.path("status").asText().equalsIgnoreCase(status);
    }
    return false;
  }

  // -- Flux healthCheckExprs -------------------------------------------------------------------

  /**
   * The expressions ({@code current}, {@code failed}, {@code inProgress}) per kind in the Flux
   * sample.
   */
  public static Map<String, Map<String, String>> fluxExpressions() {
    try {
      JsonNode k = ResourceDocuments.read(FLUX).get(0).node();
      Map<String, Map<String, String>> out = new LinkedHashMap<>();
      for (JsonNode e : k.path("spec").path("healthCheckExprs")) {
        Map<String, String> exprs = new HashMap<>();
        for (String f : List.of("current", "failed", "inProgress")) {
          if (e.hasNonNull(f)) {
            exprs.put(f, e.get(f).asText());
          }
        }
        out.put(e.path("apiVersion").asText() + "/" + e.path("kind").asText(), exprs);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Flux's status for a resource with custom expressions: InProgress while
   * status.observedGeneration differs from metadata.generation, then the first of inProgress,
   * failed, current that is true, else InProgress. An expression that cannot be evaluated (a field
   * that does not exist yet) gives "Error": Flux reports it and keeps waiting.
   */
  public static String flux(JsonNode resource) {
    Map<String, String> exprs =
        fluxExpressions()
            .get(resource.path("apiVersion").asText() + "/" + resource.path("kind").asText());
    if (exprs == null) {
      throw new IllegalArgumentException(
          "no healthCheckExprs for " + resource.path("kind").asText());
    }
    JsonNode observed = resource.path("status").path("observedGeneration");
    JsonNode generation = resource.path("metadata").path("generation");
    if (observed.isNumber() && generation.isNumber() && observed.asLong() != generation.asLong()) {
      return "InProgress";
    }
    Map<String, Object> variables = new HashMap<>();
    for (String name : TOP_LEVEL) {
      if (resource.has(name)) {
        variables.put(name, cel(resource.get(name)));
      }
    }
    for (String[] step :
        new String[][] {
          {"inProgress", "InProgress"}, {"failed", "Failed"}, {"current", "Current"}
        }) {
      String expr = exprs.get(step[0]);
      if (expr == null) {
        continue;
      }
      try {
        if (Boolean.TRUE.equals(program(expr).eval(variables))) {
          return step[1];
        }
      } catch (CelEvaluationException e) {
        return "Error";
      }
    }
    return "InProgress";
  }

  /**
   * Plans an expression. Flux only parses; cel-java plans checked expressions, and with every
   * variable dynamically typed checking adds no constraint beyond parsing.
   */
  public static CelRuntime.Program program(String expr) {
    try {
      return CEL.createProgram(CEL.compile(expr).getAst());
    } catch (CelValidationException | CelEvaluationException e) {
      throw new IllegalArgumentException("invalid CEL expression " + expr, e);
    }
  }

  /** JSON as unstructured values: maps, lists, int64, double, string, bool. */
  static Object cel(JsonNode n) {
    if (n.isObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      n.fields()
          .forEachRemaining(
              e -> {
                if (!e.getValue().isNull()) {
                  m.put(e.getKey(), cel(e.getValue()));
                }
              });
      return m;
    }
    if (n.isArray()) {
      List<Object> l = new ArrayList<>();
      n.forEach(x -> l.add(cel(x)));
      return l;
    }
    if (n.isIntegralNumber()) {
      return n.asLong();
    }
    if (n.isNumber()) {
      return n.asDouble();
    }
    if (n.isBoolean()) {
      return n.asBoolean();
    }
    return n.asText();
  }
}
