/**
 * The three custom resources of group {@code speculators.dev}, version {@code v1alpha1}: {@link
 * dev.speculators.api.HiddenStateDataset}, {@link dev.speculators.api.SpeculatorTraining} and
 * {@link dev.speculators.api.SpeculatorEval}.
 *
 * <p>The classes are plain data with public fields. Their annotations are the CRD schema: the build
 * generates {@code crds/*.yml} from them (descriptions, ranges, enums, defaults and CEL rules).
 * Field initializers equal the schema defaults, so an object read from a server that does not apply
 * defaults (or built in code) sees the same values as one defaulted by a real API server.
 */
package dev.speculators.api;
