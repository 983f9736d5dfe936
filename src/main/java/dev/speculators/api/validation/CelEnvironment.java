package dev.speculators.api.validation;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.types.SimpleType;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;

/**
 * The CEL environment rules are compiled in: standard CEL with its macros plus the strings
 * extension, as the API server offers them, with {@code self} and {@code oldSelf} as variables.
 * Kubernetes' own CEL libraries (quantity, url, ip, authz, ...) are not available, so rules must
 * not use them; a rule that does fails to compile when the CRDs are loaded.
 *
 * <p>Values are dynamically typed here, where the API server derives static types from the schema;
 * a misspelt field therefore shows as an evaluation error at admission instead of at CRD creation.
 * The admission tests exercise every rule, which catches such mistakes.
 */
final class CelEnvironment {

  /** The API server's per-expression iteration bound is a cost budget; this is a plain cap. */
  private static final int MAX_COMPREHENSION_ITERATIONS = 100_000;

  private static final Cel CEL =
      CelFactory.standardCelBuilder()
          .setOptions(
              CelOptions.current()
                  .enableHeterogeneousNumericComparisons(true)
                  .comprehensionMaxIterations(MAX_COMPREHENSION_ITERATIONS)
                  .build())
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addCompilerLibraries(CelExtensions.strings())
          .addRuntimeLibraries(CelExtensions.strings())
          .addVar("self", SimpleType.DYN)
          .addVar("oldSelf", SimpleType.DYN)
          .build();

  private CelEnvironment() {}

  /** Compiles an expression, or throws with the compiler's explanation. */
  static CelRuntime.Program compile(String expression) throws CelValidationException {
    CelAbstractSyntaxTree ast = CEL.compile(expression).getAst();
    try {
      return CEL.createProgram(ast);
    } catch (CelEvaluationException e) {
      throw new IllegalArgumentException("cannot plan CEL expression: " + expression, e);
    }
  }

  /** Whether an expression refers to {@code oldSelf}, i.e. is a transition rule. */
  static boolean refersToOldSelf(String expression) throws CelValidationException {
    CelAbstractSyntaxTree ast = CEL.parse(expression).getAst();
    return CelNavigableAst.fromAst(ast)
        .getRoot()
        .allNodes()
        .anyMatch(
            n ->
                n.getKind() == CelExpr.ExprKind.Kind.IDENT
                    && n.expr().ident().name().equals("oldSelf"));
  }
}
